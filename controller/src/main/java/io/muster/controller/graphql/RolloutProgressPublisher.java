package io.muster.controller.graphql;

import io.muster.controller.rollout.RolloutFeed;
import io.muster.controller.rollout.RolloutService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * The {@code rolloutProgress} subscription for one subscriber: follows the rollout through a
 * {@link RolloutFeed} (the same views as GET /api/v1/rollouts/{id}), sends a view when it changed
 * and the subscriber has demand (without demand only the newest waits), and completes after a
 * succeeded, aborted or failed one. An error for a rollout that does not exist or that the caller
 * may not see.
 */
final class RolloutProgressPublisher implements Publisher<Map<String, Object>> {

    private final Vertx vertx;
    private final RolloutService rollouts;
    private final UUID rolloutId;
    private final long intervalMs;
    private final Future<Boolean> allowed;

    RolloutProgressPublisher(Vertx vertx, RolloutService rollouts, UUID rolloutId, long intervalMs, Future<Boolean> allowed) {
        this.vertx = vertx;
        this.rollouts = rollouts;
        this.rolloutId = rolloutId;
        this.intervalMs = intervalMs;
        this.allowed = allowed;
    }

    @Override
    public void subscribe(Subscriber<? super Map<String, Object>> subscriber) {
        new Watch(subscriber).begin(allowed, "no rollout with id " + rolloutId + " that this token may read");
    }

    private final class Watch extends ProgressSubscription<JsonObject> implements RolloutFeed.Watcher {

        Watch(Subscriber<? super Map<String, Object>> subscriber) {
            super(subscriber);
        }

        @Override
        Runnable watch() {
            return RolloutFeed.watch(vertx, rollouts, rolloutId, intervalMs, this)::close;
        }

        @Override
        @SuppressWarnings("unchecked")
        Map<String, Object> render(JsonObject view) {
            return Json.decodeValue(view.encode(), Map.class);
        }

        @Override
        public void changed(JsonObject view, boolean over) {
            offer(view, over);
        }

        @Override
        public void missing() {
            fail(new IllegalArgumentException("no rollout with id " + rolloutId));
        }

        @Override
        public void failed(Throwable cause) {
            fail(new IllegalStateException("reading rollout " + rolloutId + " failed on the controller; see its log"));
        }
    }
}
