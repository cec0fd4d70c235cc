package io.muster.controller.graphql;

import io.vertx.core.Future;
import java.util.Map;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One subscriber's progress subscription (tasks, rollouts): the newest value waits until the
 * subscriber has demand (older ones are dropped, only the latest matters), the last value
 * completes it, and a failure or cancel closes the watch that feeds it. Methods may be called
 * from any thread; state is guarded by this object's monitor.
 *
 * @param <T> what the watch delivers
 */
abstract class ProgressSubscription<T> implements Subscription {

    private final Subscriber<? super Map<String, Object>> subscriber;
    private long demand;
    private T sent;
    private T waiting;
    private boolean waitingIsLast;
    private boolean finished;
    private Runnable watching;

    ProgressSubscription(Subscriber<? super Map<String, Object>> subscriber) {
        this.subscriber = subscriber;
    }

    /** Starts the watch that calls {@link #offer}; running the result stops it. */
    abstract Runnable watch();

    /** The value as the subscription's GraphQL object. */
    abstract Map<String, Object> render(T value);

    /** Whether a value need not be sent (the watch may repeat itself); none is skipped by default. */
    boolean repeats(T value, T sent, T waiting) {
        return false;
    }

    /** Hands itself to the subscriber, then starts watching once the caller may see the subject. */
    final void begin(Future<Boolean> allowed, String denied) {
        subscriber.onSubscribe(this);
        allowed.onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                start();
            } else {
                fail(new IllegalArgumentException(denied));
            }
        });
    }

    private void start() {
        Runnable handle = watch();
        boolean over;
        synchronized (this) {
            watching = handle;
            over = finished;
        }
        if (over) {
            stopWatching();
        }
    }

    /** A new value from the watch; {@code last} when nothing follows it. */
    final void offer(T value, boolean last) {
        synchronized (this) {
            if (finished || repeats(value, sent, waiting)) {
                return;
            }
            waiting = value;
            waitingIsLast = last;
        }
        drain();
    }

    private void drain() {
        T next;
        boolean complete;
        synchronized (this) {
            if (finished || waiting == null || demand == 0) {
                return;
            }
            next = waiting;
            complete = waitingIsLast;
            waiting = null;
            sent = next;
            demand--;
            finished = complete;
        }
        subscriber.onNext(render(next));
        if (complete) {
            stopWatching();
            subscriber.onComplete();
        }
    }

    /** Ends the subscription with an error, once. */
    final void fail(Throwable error) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        stopWatching();
        subscriber.onError(error);
    }

    private void stopWatching() {
        Runnable handle;
        synchronized (this) {
            handle = watching;
            watching = null;
        }
        if (handle != null) {
            handle.run();
        }
    }

    @Override
    public final void request(long n) {
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
    public final void cancel() {
        synchronized (this) {
            finished = true;
        }
        stopWatching();
    }
}
