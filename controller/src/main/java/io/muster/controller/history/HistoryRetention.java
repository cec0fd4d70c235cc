package io.muster.controller.history;

import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the inventory history's daily partitions: creates the coming week's and drops those
 * older than the retention, at start and every hour, on every member (the database function
 * serializes concurrent calls). Close it to stop.
 */
public final class HistoryRetention implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryRetention.class);
    private static final Duration EVERY = Duration.ofHours(1);

    private final Vertx vertx;
    private final long timerId;

    public HistoryRetention(Vertx vertx, HistoryStore store, Duration retention) {
        this.vertx = vertx;
        Runnable round = () -> store.maintain(retention)
                .onFailure(e -> LOG.warn("inventory history partitions not maintained: {}", e.toString()));
        round.run();
        this.timerId = vertx.setPeriodic(EVERY.toMillis(), id -> round.run());
    }

    @Override
    public void close() {
        vertx.cancelTimer(timerId);
    }
}
