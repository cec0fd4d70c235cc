package io.muster.controller.rollout;

import io.muster.scheduler.rollout.RolloutState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * One watcher of one rollout (FleetControl WatchRollout, the GraphQL rolloutProgress
 * subscription): reads the rollout's view every interval and hands it on whenever it changed
 * (its {@code updatedAt} aside), and stops after a terminal one (succeeded, aborted, failed). A
 * halted rollout may be resumed, so its watch goes on. Reads chain on the service's futures and
 * never block; callbacks come on Vert.x context threads, one at a time.
 */
public final class RolloutFeed {

    /** What a watch hears. */
    public interface Watcher {
        /** The view changed (the first read always counts as a change); {@code over} on the last. */
        void changed(JsonObject view, boolean over);

        /** No rollout with this id. */
        void missing();

        /** A read failed; the watch has stopped. */
        void failed(Throwable cause);
    }

    private final Vertx vertx;
    private final RolloutService rollouts;
    private final UUID id;
    private final long intervalMs;
    private final Watcher watcher;
    private String last;
    private boolean closed;
    private long timer = -1;

    private RolloutFeed(Vertx vertx, RolloutService rollouts, UUID id, long intervalMs, Watcher watcher) {
        this.vertx = vertx;
        this.rollouts = rollouts;
        this.id = id;
        this.intervalMs = Math.max(10, intervalMs);
        this.watcher = watcher;
    }

    /** Starts watching at once; {@link #close()} stops it. */
    public static RolloutFeed watch(Vertx vertx, RolloutService rollouts, UUID id, long intervalMs, Watcher watcher) {
        RolloutFeed feed = new RolloutFeed(vertx, rollouts, id, intervalMs, watcher);
        feed.read();
        return feed;
    }

    /** Whether the rollout will not change any more. */
    public static boolean over(JsonObject view) {
        return RolloutState.fromWire(view.getString("state")).map(RolloutState::terminal).orElse(false);
    }

    public synchronized void close() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private synchronized boolean closed() {
        return closed;
    }

    private void read() {
        rollouts.find(id).onComplete(ar -> {
            if (closed()) {
                return;
            }
            if (ar.failed()) {
                close();
                watcher.failed(ar.cause());
                return;
            }
            if (ar.result().isEmpty()) {
                close();
                watcher.missing();
                return;
            }
            JsonObject view = ar.result().get();
            JsonObject compared = view.copy();
            compared.remove("updatedAt");
            String encoded = compared.encode();
            boolean over = over(view);
            if (over) {
                close();
            }
            if (!encoded.equals(last) || over) {
                last = encoded;
                watcher.changed(view, over);
            }
            synchronized (this) {
                if (!closed) {
                    timer = vertx.setTimer(intervalMs, t -> read());
                }
            }
        });
    }
}
