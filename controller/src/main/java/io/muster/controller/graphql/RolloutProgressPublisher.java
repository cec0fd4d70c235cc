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
import org.reactivestreams.Subscription;

/**
 * The {@code rolloutProgress} subscription for one subscriber: follows the rollout through a
 * {@link RolloutFeed} (the same views as GET /api/v1/rollouts/{id}), sends a view when it changed
 * and the subscriber has demand (without demand only the newest waits), and completes after a
 * succeeded, aborted or failed one. An error for a rollout that does not exist or that the caller
 * may not see. Methods may be called from any thread; state is guarded by the watch's monitor.
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
        Watch watch = new Watch(subscriber);
        subscriber.onSubscribe(watch);
        allowed.onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                watch.start();
            } else {
                watch.fail(new IllegalArgumentException("no rollout with id " + rolloutId + " that this token may read"));
            }
        });
    }

    private final class Watch implements Subscription, RolloutFeed.Watcher {
        private final Subscriber<? super Map<String, Object>> subscriber;
        private long demand;
        private JsonObject waiting;
        private boolean waitingIsLast;
        private boolean finished;
        private RolloutFeed feed;

        Watch(Subscriber<? super Map<String, Object>> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            RolloutFeed started = RolloutFeed.watch(vertx, rollouts, rolloutId, intervalMs, this);
            boolean over;
            synchronized (this) {
                feed = started;
                over = finished;
            }
            if (over) {
                started.close();
            }
        }

        @Override
        public void changed(JsonObject view, boolean over) {
            synchronized (this) {
                if (finished) {
                    return;
                }
                waiting = view;
                waitingIsLast = over;
            }
            drain();
        }

        @Override
        public void missing() {
            fail(new IllegalArgumentException("no rollout with id " + rolloutId));
        }

        @Override
        public void failed(Throwable cause) {
            fail(new IllegalStateException("reading rollout " + rolloutId + " failed on the controller; see its log"));
        }

        @SuppressWarnings("unchecked")
        private void drain() {
            JsonObject next;
            boolean complete;
            synchronized (this) {
                if (finished || waiting == null || demand == 0) {
                    return;
                }
                next = waiting;
                complete = waitingIsLast;
                waiting = null;
                demand--;
                finished = complete;
            }
            Map<String, Object> plain = Json.decodeValue(next.encode(), Map.class);
            subscriber.onNext(plain);
            if (complete) {
                stop();
                subscriber.onComplete();
            }
        }

        void fail(Throwable error) {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
            }
            stop();
            subscriber.onError(error);
        }

        private void stop() {
            RolloutFeed current;
            synchronized (this) {
                current = feed;
            }
            if (current != null) {
                current.close();
            }
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                fail(new IllegalArgumentException("request must be positive, got " + n));
                return;
            }
            synchronized (this) {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            drain();
        }

        @Override
        public void cancel() {
            synchronized (this) {
                finished = true;
            }
            stop();
        }
    }
}
