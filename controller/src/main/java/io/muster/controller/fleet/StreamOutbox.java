package io.muster.controller.fleet;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sending side of one server stream with gRPC flow control: messages are written only while
 * the call {@code isReady()}, the rest wait here, and a newer message with the same key replaces
 * a waiting one (a slow watcher gets the latest state, never an unbounded backlog: at most one
 * message per key waits). Drained from the call's on-ready handler and after every offer.
 *
 * <p>Thread-safe: offers come from Vert.x event loops, readiness from gRPC threads; writes to the
 * call happen under this object's monitor, one at a time.
 */
final class StreamOutbox<T> {

    private final ServerCallStreamObserver<T> call;
    private final Map<String, T> waiting = new LinkedHashMap<>();
    private boolean completeWhenDrained;
    private boolean closed;
    private volatile Runnable onCancel = () -> { };

    /** The watch that feeds this outbox sees {@link #closed()} once the client cancels, and stops. */
    StreamOutbox(ServerCallStreamObserver<T> call) {
        this.call = call;
        call.setOnCancelHandler(() -> {
            synchronized (this) {
                closed = true;
                waiting.clear();
            }
            onCancel.run();
        });
        call.setOnReadyHandler(this::drain);
    }

    /** Runs {@code action} when the client cancels the call (e.g. to stop what feeds the outbox). */
    void onCancel(Runnable action) {
        this.onCancel = action;
        if (closed()) {
            action.run();
        }
    }

    /** Queues a message (replacing a waiting one with the same key) and sends what the call can take. */
    void offer(String key, T message) {
        synchronized (this) {
            if (closed || completeWhenDrained) {
                return;
            }
            waiting.remove(key);
            waiting.put(key, message);
        }
        drain();
    }

    /** Messages not sent yet. */
    synchronized int backlog() {
        return waiting.size();
    }

    synchronized boolean closed() {
        return closed;
    }

    /** Ends the stream once every waiting message is sent. */
    void completeWhenDrained() {
        synchronized (this) {
            completeWhenDrained = true;
        }
        drain();
    }

    void fail(Throwable error) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            waiting.clear();
            call.onError(error);
        }
    }

    synchronized void drain() {
        if (closed) {
            return;
        }
        Iterator<T> next = waiting.values().iterator();
        // isReady can be stale: the on-ready handler runs again when it turns true.
        while (next.hasNext() && call.isReady()) {
            T message = next.next();
            next.remove();
            call.onNext(message);
        }
        if (completeWhenDrained && waiting.isEmpty()) {
            closed = true;
            call.onCompleted();
        }
    }
}
