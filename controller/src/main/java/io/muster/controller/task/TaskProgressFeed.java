package io.muster.controller.task;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of tasks for everyone watching them on this member (SSE, GraphQL subscriptions, gRPC
 * WatchTask): ONE poller per watched task, reference counted, whatever the number of watchers,
 * so the database sees one count query per task per tick instead of one per watcher.
 *
 * <p>A poller looks at its task every {@code interval} when it was told the task changed
 * ({@link #changed}: the result batcher's commits and cancels on this member), and at least every
 * {@code idleInterval} otherwise (results written by other members, sweeps). It delivers counts
 * when they differ from the last ones, gives a new watcher the latest counts at once, stops when
 * its last watcher leaves, and ends after delivering the counts in which every run is terminal.
 *
 * <p>Threading: methods may be called from any thread; {@link Watcher} callbacks come on a Vert.x
 * context thread, never under a lock, one at a time per poller; they must not block.
 */
public final class TaskProgressFeed {

    private static final Logger log = LoggerFactory.getLogger(TaskProgressFeed.class);

    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(250);
    public static final Duration DEFAULT_IDLE_INTERVAL = Duration.ofSeconds(1);

    /** Someone watching one task. */
    public interface Watcher {
        /** Counts changed (or the first counts after watching); terminal counts come last. */
        void progress(TaskProgress progress);

        /** The task does not exist; nothing else follows. */
        void missing();
    }

    /** A watcher's registration; closing it (any thread, idempotent) stops the watcher. */
    public interface Watching extends AutoCloseable {
        @Override
        void close();
    }

    private final Vertx vertx;
    private final Function<UUID, Future<Optional<TaskProgress>>> source;
    private final long intervalMs;
    private final long idleIntervalMs;
    private final Map<UUID, Poller> pollers = new HashMap<>();
    private final AtomicLong queries = new AtomicLong();

    public TaskProgressFeed(Vertx vertx, TaskRepository tasks) {
        this(vertx, tasks::progress, DEFAULT_INTERVAL, DEFAULT_IDLE_INTERVAL);
    }

    public TaskProgressFeed(Vertx vertx, Function<UUID, Future<Optional<TaskProgress>>> source, Duration interval,
                            Duration idleInterval) {
        this.vertx = vertx;
        this.source = source;
        this.intervalMs = Math.max(10, interval.toMillis());
        this.idleIntervalMs = Math.max(intervalMs, idleInterval.toMillis());
    }

    /**
     * Starts watching; the watcher gets the current counts soon (at once when the task is already
     * watched here).
     *
     * @return closing it stops this watcher (idempotent)
     */
    public Watching watch(UUID taskId, Watcher watcher) {
        Poller poller;
        boolean start;
        TaskProgress latest;
        synchronized (this) {
            poller = pollers.get(taskId);
            start = poller == null;
            if (start) {
                poller = new Poller(taskId);
                pollers.put(taskId, poller);
            }
            poller.watchers.add(watcher);
            latest = poller.last;
        }
        if (start) {
            poller.poll();
        } else if (latest != null) {
            vertx.runOnContext(v -> watcher.progress(latest));
        }
        Poller watched = poller;
        return () -> watched.leave(watcher);
    }

    /** The tasks whose runs just changed on this member: their pollers look again at the next tick. */
    public void changed(Collection<UUID> taskIds) {
        synchronized (this) {
            for (UUID taskId : taskIds) {
                Poller poller = pollers.get(taskId);
                if (poller != null) {
                    poller.dirty = true;
                }
            }
        }
    }

    /** Tasks watched on this member right now. */
    public synchronized int watchedTasks() {
        return pollers.size();
    }

    /** Count queries run so far (for tests and metrics). */
    public long queries() {
        return queries.get();
    }

    private final class Poller {
        private final UUID taskId;
        private final Set<Watcher> watchers = new LinkedHashSet<>();
        private TaskProgress last;
        private boolean dirty = true;
        private long lastQueryMs;
        private long timerId = -1;
        private boolean stopped;

        Poller(UUID taskId) {
            this.taskId = taskId;
        }

        void leave(Watcher watcher) {
            synchronized (TaskProgressFeed.this) {
                if (watchers.remove(watcher) && watchers.isEmpty()) {
                    stop();
                }
            }
        }

        /** Caller holds the feed's monitor. */
        private void stop() {
            stopped = true;
            pollers.remove(taskId, this);
            if (timerId >= 0) {
                vertx.cancelTimer(timerId);
            }
        }

        void poll() {
            synchronized (TaskProgressFeed.this) {
                if (stopped) {
                    return;
                }
                dirty = false;
                lastQueryMs = System.currentTimeMillis();
            }
            queries.incrementAndGet();
            source.apply(taskId).onComplete(ar -> {
                List<Watcher> notify;
                TaskProgress changed = null;
                boolean missing = false;
                synchronized (TaskProgressFeed.this) {
                    if (stopped) {
                        return;
                    }
                    notify = new ArrayList<>(watchers);
                    if (ar.failed()) {
                        // A database hiccup: look again at the next tick.
                        log.debug("progress of task {} not read: {}", taskId, ar.cause().toString());
                        dirty = true;
                    } else if (ar.result().isEmpty()) {
                        missing = true;
                        stop();
                    } else if (!ar.result().get().equals(last)) {
                        changed = ar.result().get();
                        last = changed;
                        if (changed.state().terminal()) {
                            stop();
                        }
                    }
                    if (!stopped) {
                        timerId = vertx.setTimer(intervalMs, id -> tick());
                    }
                }
                for (Watcher watcher : notify) {
                    try {
                        if (missing) {
                            watcher.missing();
                        } else if (changed != null) {
                            watcher.progress(changed);
                        }
                    } catch (RuntimeException e) {
                        log.warn("a progress watcher of task {} failed", taskId, e);
                    }
                }
            });
        }

        private void tick() {
            boolean due;
            synchronized (TaskProgressFeed.this) {
                timerId = -1;
                if (stopped) {
                    return;
                }
                due = dirty || System.currentTimeMillis() - lastQueryMs >= idleIntervalMs;
                if (!due) {
                    timerId = vertx.setTimer(intervalMs, id -> tick());
                }
            }
            if (due) {
                poll();
            }
        }
    }
}
