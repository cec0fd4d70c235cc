package io.muster.controller.task;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
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
 * <p>Except in a failure domain that looks cut off: when most hosts of one "dc" (label, else fact)
 * are offline together, that is a network partition, not that many dead hosts. The domain is
 * listed (one {@code fleet.domain_partitioned} event) and the two sweeps leave its runs alone
 * until its hosts return ({@code fleet.domain_restored}); a rollout's budget, which counts ended
 * runs, is then not spent on them either. Hosts of the domain that are not back when it is restored
 * get each sweep's grace again, counted from the restoration.
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

    /**
     * A failure domain (the "dc" label or fact) with at least this many hosts offline, and at least
     * {@link #PARTITION_FRACTION} of its hosts, is held as cut off rather than dead.
     */
    public static final int PARTITION_MIN_OFFLINE = 3;
    public static final double PARTITION_FRACTION = 0.5;

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
        Duration keepRestored = settings.hostLostAfter().compareTo(settings.timeoutGrace()) > 0
                ? settings.hostLostAfter() : settings.timeoutGrace();
        return tasks.checkDomains(PARTITION_MIN_OFFLINE, PARTITION_FRACTION, keepRestored)
                .onSuccess(events -> events.forEach(event -> log.warn("{}", event.startsWith("fleet.domain_partitioned")
                        ? event + ": most of its hosts are offline; held as a network partition, their runs wait for them"
                        : event + ": most of its hosts are back")))
                .recover(e -> {
                    log.warn("failure domain check failed: {}", e.toString());
                    return Future.succeededFuture(List.of());
                })
                .compose(checked -> tasks.sweepHostLost(settings.hostLostAfter()).compose(lost -> tasks.sweepTimedOut(settings.timeoutGrace())
                .compose(timedOut -> tasks.sweepNeverStarted(settings.timeoutGrace()).map(neverStarted -> {
                    if (lost + timedOut + neverStarted > 0) {
                        log.info("ended {} runs of hosts offline past {} s, {} runs past their timeout and {} runs "
                                + "never started", lost, settings.hostLostAfter().toSeconds(), timedOut, neverStarted);
                    }
                    return lost + timedOut + neverStarted;
                })))
                // Secrets are only for agents still to run the task; forgetting them is not urgent.
                .compose(ended -> tasks.clearFinishedSecrets().map(cleared -> ended)));
    }

    @Override
    public void close() {
        vertx.cancelTimer(timerId);
    }
}
