package io.muster.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A real HTTP server on loopback (the JDK's) that records every request it gets and what it
 * answered, as the test's function says. Close it after the test.
 */
final class RecordingServer implements AutoCloseable {

    /** One request as it arrived: the raw (still percent-encoded) path and query. */
    record Request(String method, String rawPath, String rawQuery, String body, String accept, String authorization) {
    }

    /** What to answer. */
    record Answer(int status, String contentType, String body, String retryAfter) {

        static Answer json(String body) {
            return new Answer(200, "application/json", body, null);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Answer> answers = new CopyOnWriteArrayList<>();

    RecordingServer(Function<Request, Answer> answers) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> answer(exchange, answers));
        server.start();
    }

    private void answer(HttpExchange exchange, Function<Request, Answer> answering) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(), body, exchange.getRequestHeaders().getFirst("Accept"),
                exchange.getRequestHeaders().getFirst("Authorization"));
        requests.add(request);
        Answer answer = answering.apply(request);
        answers.add(answer);
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", answer.contentType());
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** What it answered, in the order of {@link #requests()}. */
    List<Answer> answers() {
        return List.copyOf(answers);
    }

    void forget() {
        requests.clear();
        answers.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
