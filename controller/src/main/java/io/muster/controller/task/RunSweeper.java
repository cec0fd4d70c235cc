package io.muster.controller.task;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure every run ends: periodically marks {@code host_lost} the runs of hosts offline past
 * the deadline, {@code timed_out} the runs that started longer ago than their timeout plus a
 * grace period without a result, and {@code timed_out} ("never started") the runs that stayed
 * pending that long after they were offered to a connected host. Also forgets the secrets of
 * finished tasks.
 *
 * <p>Every member runs it; each sweep is one global, idempotent statement per rule, so running it
 * on several members at once is harmless and nothing depends on a member surviving. Timer on a
 * Vert.x context; never blocks.
 */
public final class RunSweeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RunSweeper.class);

    /**
     * @param hostLostAfter how long a host may stay offline before its runs are lost (default 5 min)
     * @param timeoutGrace  how long past its timeout a running run may stay without a result (default 30 s)
     * @param interval      time between sweeps (default 10 s)
     * @param redeliverAfter how long a run may stay pending on a connected host before its owner
     *                       pushes it again (default 15 s; also the period of that check)
     */
    public record Settings(Duration hostLostAfter, Duration timeoutGrace, Duration interval, Duration redeliverAfter) {
        public static final Duration DEFAULT_REDELIVER_AFTER = Duration.ofSeconds(15);
        public static final Settings DEFAULTS = new Settings(Duration.ofMinutes(5), Duration.ofSeconds(30),
                Duration.ofSeconds(10), DEFAULT_REDELIVER_AFTER);

        public Settings {
            Objects.requireNonNull(hostLostAfter, "hostLostAfter");
            Objects.requireNonNull(timeoutGrace, "timeoutGrace");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(redeliverAfter, "redeliverAfter");
            if (redeliverAfter.isNegative() || redeliverAfter.isZero()) {
                throw new IllegalArgumentException("redeliverAfter must be positive");
            }
        }

        public Settings(Duration hostLostAfter, Duration timeoutGrace, Duration interval) {
            this(hostLostAfter, timeoutGrace, interval, DEFAULT_REDELIVER_AFTER);
        }
    }

    private final Vertx vertx;
    private final TaskRepository tasks;
    private final Settings settings;
    private final long timerId;
    private boolean sweeping;

    public RunSweeper(Vertx vertx, TaskRepository tasks, Settings settings) {
        this.vertx = vertx;
        this.tasks = tasks;
        this.settings = settings;
        this.timerId = vertx.setPeriodic(settings.interval().toMillis(), id -> sweepIfIdle());
    }

    private void sweepIfIdle() {
        if (sweeping) {
            return;
        }
        sweeping = true;
        sweep().onComplete(ar -> {
            sweeping = false;
            if (ar.failed()) {
                log.warn("run sweep failed (retried at the next interval): {}", ar.cause().toString());
            }
        });
    }

    /** One sweep now; completes with the number of runs ended. */
    public Future<Integer> sweep() {
        return tasks.sweepHostLost(settings.hostLostAfter()).compose(lost -> tasks.sweepTimedOut(settings.timeoutGrace())
                .compose(timedOut -> tasks.sweepNeverStarted(settings.timeoutGrace()).map(neverStarted -> {
                    if (lost + timedOut + neverStarted > 0) {
                        log.info("ended {} runs of hosts offline past {} s, {} runs past their timeout and {} runs "
                                + "never started", lost, settings.hostLostAfter().toSeconds(), timedOut, neverStarted);
                    }
                    return lost + timedOut + neverStarted;
                })))
                // Secrets are only for agents still to run the task; forgetting them is not urgent.
                .compose(ended -> tasks.clearFinishedSecrets().map(cleared -> ended));
    }

    @Override
    public void close() {
        vertx.cancelTimer(timerId);
    }
}
