package io.muster.controller.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Against a slowloris: a connection that has not sent a whole request head (request line and
 * headers) within {@link #DEADLINE} of opening is closed. Each such connection costs the member a
 * socket and a little memory while it trickles bytes; an idle timeout does not stop it, since
 * every byte counts as activity. Only the first request of a connection is timed: a kept-alive
 * connection that trickles its second request is not (Vert.x has no per-request head timeout).
 *
 * <p>Threading: {@link #opened} runs on the connection's event loop, timers on Vert.x's; the set of
 * waiting connections is concurrent.
 */
final class RequestHeadDeadline {

    static final Duration DEADLINE = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final long deadlineMs;
    private final Set<HttpConnection> waiting = ConcurrentHashMap.newKeySet();

    RequestHeadDeadline(Vertx vertx, Duration deadline) {
        this.vertx = vertx;
        this.deadlineMs = deadline.toMillis();
    }

    /** A connection opened: it has {@link #DEADLINE} to complete its first request head. */
    void opened(HttpConnection connection) {
        waiting.add(connection);
        long timer = vertx.setTimer(deadlineMs, id -> {
            if (waiting.remove(connection)) {
                connection.close();
            }
        });
        connection.closeHandler(v -> {
            waiting.remove(connection);
            vertx.cancelTimer(timer);
        });
    }

    /** {@code handler}, called once a request's head is complete, after clearing its connection's deadline. */
    Handler<HttpServerRequest> guard(Handler<HttpServerRequest> handler) {
        return request -> {
            waiting.remove(request.connection());
            handler.handle(request);
        };
    }

    /** Connections still waiting for their first request head (for tests and metrics). */
    int waiting() {
        return waiting.size();
    }
}
