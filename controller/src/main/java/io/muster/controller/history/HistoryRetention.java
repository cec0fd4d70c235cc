package io.muster.controller.history;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a day-partitioned history table (inventory changes, the vitals series): runs its
 * maintenance (create the coming days' partitions, drop those older than the retention) at start
 * and every hour, on every member (the database functions serialize concurrent calls). Close it
 * to stop.
 */
public final class HistoryRetention implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryRetention.class);
    private static final Duration EVERY = Duration.ofHours(1);

    private final Vertx vertx;
    private final long timerId;

    /** The inventory history's partitions. */
    public HistoryRetention(Vertx vertx, HistoryStore store, Duration retention) {
        this(vertx, "inventory history", () -> store.maintain(retention));
    }

    /** @param what named in the warning when a round fails */
    public HistoryRetention(Vertx vertx, String what, Supplier<Future<Void>> maintain) {
        this.vertx = vertx;
        Runnable round = () -> maintain.get()
                .onFailure(e -> LOG.warn("{} partitions not maintained: {}", what, e.toString()));
        round.run();
        this.timerId = vertx.setPeriodic(EVERY.toMillis(), id -> round.run());
    }

    @Override
    public void close() {
        vertx.cancelTimer(timerId);
    }
}
