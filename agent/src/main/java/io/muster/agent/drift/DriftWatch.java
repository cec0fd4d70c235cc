package io.muster.agent.drift;

import io.muster.agent.task.config.ConfigDriftDetector;
import io.muster.agent.task.config.Drift;
import io.muster.proto.v1.HostEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-checks the last applied config on an interval and reports each change of the drift set (a
 * new drift, one that went away, a different edit) as one host event of kind {@value DriftReport#KIND}.
 * A drift that lasts is reported once, not on every check.
 *
 * <p>Delivery: every event is kept until the controller acknowledges its id ({@link #acknowledged});
 * until then it is sent again after every Welcome ({@link #resend}). Unacknowledged events and the
 * last reported drift set survive agent restarts in {@code <dataDir>/drift/}. At most
 * {@value #MAX_PENDING} events wait: beyond that the oldest is dropped, since the newest one
 * describes the host as it is now.
 *
 * <p>Threading: checks run on the given (shared) scheduler, never on a thread of their own;
 * {@link #acknowledged} and {@link #resend} may be called from any thread. State is guarded by the
 * watch's lock; the sender is called outside it.
 */
public final class DriftWatch implements AutoCloseable {

    static final int MAX_PENDING = 32;
    private static final Logger LOG = LoggerFactory.getLogger(DriftWatch.class);

    private final ConfigDriftDetector detector;
    private final Path stateDir;
    private final String hostId;
    private final Consumer<HostEvent> sender;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration interval;
    private DriftState state;
    private ScheduledFuture<?> checks;
    private boolean closed;

    /**
     * @param dataDir the agent's data dir: the applied config is read from it, the watch's state kept in it
     * @param sender  writes an event towards the controller; it may drop it while disconnected
     */
    public DriftWatch(Path dataDir, String hostId, Consumer<HostEvent> sender, ScheduledExecutorService scheduler,
            Clock clock, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the drift check interval must be positive, not " + interval);
        }
        this.detector = new ConfigDriftDetector(dataDir);
        this.stateDir = dataDir.resolve("drift");
        this.hostId = hostId;
        this.sender = sender;
        this.scheduler = scheduler;
        this.clock = clock;
        this.interval = interval;
    }

    /** Loads the saved state and schedules the checks, the first one interval from now. */
    public synchronized DriftWatch start() {
        if (checks != null || closed) {
            throw new IllegalStateException("drift watch already started or closed");
        }
        DriftState initial = DriftState.initial(DriftReport.digest(List.of()));
        try {
            state = DriftState.load(stateDir, initial);
        } catch (IOException e) {
            // Starting over at worst reports the current drift once more (under a new id).
            LOG.warn("cannot read the drift state in {}; starting afresh: {}", stateDir, e.toString());
            state = initial;
        }
        long every = interval.toMillis();
        checks = scheduler.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Checks once now (on the caller's thread) and reports the drift set if it changed. */
    public void check() {
        List<Drift> drifts;
        try {
            drifts = detector.detect();
        } catch (IOException | RuntimeException e) {
            LOG.warn("drift check failed: {}", e.toString());
            return;
        }
        String digest = DriftReport.digest(drifts);
        HostEvent event;
        synchronized (this) {
            if (closed || state == null || digest.equals(state.digest())) {
                return;
            }
            long generation = state.generation() + 1;
            event = DriftReport.event(hostId, generation, drifts, clock.millis());
            List<HostEvent> pending = new ArrayList<>(state.pending());
            pending.add(event);
            while (pending.size() > MAX_PENDING) {
                HostEvent dropped = pending.remove(0);
                LOG.warn("dropping unacknowledged drift event {} ({} are waiting)", dropped.getEventId(), MAX_PENDING);
            }
            state = save(new DriftState(generation, digest, pending));
        }
        LOG.info("{} [{}]", event.getMessage(), event.getEventId());
        sender.accept(event);
    }

    /** Sends every unacknowledged event again (after a Welcome), oldest first. */
    public void resend() {
        List<HostEvent> pending;
        synchronized (this) {
            if (closed || state == null) {
                return;
            }
            pending = state.pending();
        }
        pending.forEach(sender);
    }

    /** The controller recorded the event {@code eventId}: stop re-sending it. Unknown ids are ignored. */
    public void acknowledged(String eventId) {
        synchronized (this) {
            if (state == null || state.pending().stream().noneMatch(e -> e.getEventId().equals(eventId))) {
                return;
            }
            List<HostEvent> pending = new ArrayList<>(state.pending());
            pending.removeIf(e -> e.getEventId().equals(eventId));
            state = save(new DriftState(state.generation(), state.digest(), pending));
        }
    }

    /** Events sent and not yet acknowledged, oldest first. */
    public synchronized List<HostEvent> unacknowledged() {
        return state == null ? List.of() : state.pending();
    }

    // In memory the new state holds either way: a failed write only risks one repeat after a restart.
    private DriftState save(DriftState next) {
        try {
            next.save(stateDir);
        } catch (IOException e) {
            LOG.warn("cannot save the drift state in {}: {}", stateDir, e.toString());
        }
        return next;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (checks != null) {
            checks.cancel(false);
        }
    }
}
