package io.muster.bench.probe;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * API latency as a well-behaved client sees it: {@code GET /api/v1/hosts?limit=1} on one member,
 * one request every {@code pace} (or right after the previous answer when that took longer),
 * through the JDK's HTTP client on a kept-alive connection, with the bench's bearer token. Each
 * request's time from sending to the whole answer goes into an HdrHistogram; answers other than
 * 200 and requests that fail count as errors (and are timed too).
 *
 * <p>{@link #run} asks on the calling thread until {@link #stop}; {@link #figures} is read after
 * it returned.
 */
public final class ApiLatency implements Runnable {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpRequest request;
    private final Duration pace;
    private final Histogram micros = new Histogram(REQUEST_TIMEOUT.toNanos() / 1_000 * 2, 3);
    private final List<String> errors = new ArrayList<>();
    private volatile boolean stopped;

    /** @param tokenFile the bench's admin token (empty when the members run without API auth) */
    public ApiLatency(int httpPort, Optional<Path> tokenFile, Duration pace) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/hosts?limit=1"))
                .timeout(REQUEST_TIMEOUT).GET();
        if (tokenFile.isPresent()) {
            builder.header("Authorization", "Bearer " + Files.readString(tokenFile.get(), StandardCharsets.US_ASCII).strip());
        }
        this.request = builder.build();
        this.pace = pace;
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            long asked = System.nanoTime();
            try {
                HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (answer.statusCode() != 200) {
                    errors.add("HTTP " + answer.statusCode());
                }
            } catch (IOException e) {
                errors.add(e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long took = System.nanoTime() - asked;
            micros.recordValue(Math.min(micros.getHighestTrackableValue(), Math.max(1, took / 1_000)));
            long left = (pace.toNanos() - took) / 1_000_000;
            if (left > 0) {
                try {
                    Thread.sleep(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Requests, p50, p99 and max in milliseconds, errors (with the first). */
    public JsonObject figures() {
        JsonObject figures = new JsonObject()
                .put("request", request.method() + " " + request.uri().getPath() + "?" + request.uri().getQuery())
                .put("requests", micros.getTotalCount())
                .put("errors", errors.size());
        if (micros.getTotalCount() > 0) {
            figures.put("p50Millis", micros.getValueAtPercentile(50) / 1000.0)
                    .put("p99Millis", micros.getValueAtPercentile(99) / 1000.0)
                    .put("maxMillis", micros.getMaxValue() / 1000.0);
        }
        if (!errors.isEmpty()) {
            figures.put("firstError", errors.get(0));
        }
        return figures;
    }
}
