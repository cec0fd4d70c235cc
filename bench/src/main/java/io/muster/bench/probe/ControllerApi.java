package io.muster.bench.probe;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The bench's client of one controller member's HTTP API (REST, /readyz, /metrics), with the
 * bearer token when the cluster requires one. Thread-safe (one shared {@link HttpClient}).
 */
public final class ControllerApi {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Optional<Path> tokenFile;
    private volatile String token;

    /**
     * @param tokenFile file holding the bearer token for /api/v1 (read once it exists: the first
     *                  member writes it when it starts); empty when the controllers run without auth
     */
    public ControllerApi(Optional<Path> tokenFile) {
        this.tokenFile = tokenFile;
    }

    /** A task accepted with 201, and the instant the answer arrived. */
    public record CreatedTask(String id, int total, Instant acceptedAt) {
    }

    /** True when /readyz answers 200; false when it answers otherwise or not at all. */
    public boolean ready(int httpPort) throws InterruptedException {
        try {
            return send(get(httpPort, "/readyz", Duration.ofSeconds(3))).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** GET /api/v1/cluster, or empty when the member does not answer (e.g. killed). */
    public Optional<JsonObject> cluster(int httpPort) throws InterruptedException {
        try {
            HttpResponse<String> response = send(get(httpPort, "/api/v1/cluster", Duration.ofSeconds(5)));
            return response.statusCode() == 200 ? Optional.of(new JsonObject(response.body())) : Optional.empty();
        } catch (IOException | DecodeException e) {
            return Optional.empty();
        }
    }

    /** The Prometheus text of /metrics. */
    public PrometheusText metrics(int httpPort) throws IOException, InterruptedException {
        HttpResponse<String> response = send(get(httpPort, "/metrics", TIMEOUT));
        if (response.statusCode() != 200) {
            throw new IOException("/metrics on port " + httpPort + " answered " + response.statusCode());
        }
        return PrometheusText.parse(response.body());
    }

    /**
     * POST /api/v1/tasks; the instant is taken when the 201 has arrived.
     *
     * @throws IOException when the answer is not 201 (with the problem body)
     */
    public CreatedTask createTask(int httpPort, JsonObject request) throws IOException, InterruptedException {
        HttpRequest post = authorized(HttpRequest.newBuilder(uri(httpPort, "/api/v1/tasks")))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.encode()))
                .build();
        HttpResponse<String> response = send(post);
        Instant accepted = Instant.now();
        if (response.statusCode() != 201) {
            throw new IOException("POST /api/v1/tasks answered " + response.statusCode() + ": " + response.body());
        }
        JsonObject body = new JsonObject(response.body());
        return new CreatedTask(body.getString("id"), body.getInteger("total", 0), accepted);
    }

    private HttpRequest get(int httpPort, String path, Duration timeout) {
        return authorized(HttpRequest.newBuilder(uri(httpPort, path))).timeout(timeout).GET().build();
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder builder) {
        token().ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    private Optional<String> token() {
        if (token == null && tokenFile.isPresent() && Files.isRegularFile(tokenFile.get())) {
            try {
                String text = Files.readString(tokenFile.get(), StandardCharsets.US_ASCII).strip();
                token = text.isEmpty() ? null : text;
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(token);
    }

    private static URI uri(int httpPort, String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
