package io.muster.controller.api;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP client of the API tests: plain java.net.http over loopback that records every
 * exchange in {@link ExchangeLog}, so the OpenAPI conformance test can hold the document
 * against everything the suite did. Thread-safe.
 */
public final class ApiClient {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String base;
    private final String token;

    /** @param base e.g. http://127.0.0.1:8080 */
    public ApiClient(String base) {
        this(base, null);
    }

    /** @param token bearer token sent with every request, null for none */
    public ApiClient(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The same server with another bearer token (null: none). */
    public ApiClient withToken(String other) {
        return new ApiClient(base, other);
    }

    public Answer get(String pathAndQuery) {
        return send("GET", pathAndQuery, null);
    }

    public Answer post(String pathAndQuery, String body) {
        return send("POST", pathAndQuery, body);
    }

    public Answer put(String pathAndQuery, String body) {
        return send("PUT", pathAndQuery, body);
    }

    public Answer delete(String pathAndQuery) {
        return send("DELETE", pathAndQuery, null);
    }

    /** Sends one request (body as JSON when not null), waits for the whole answer, records it. */
    public Answer send(String method, String pathAndQuery, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        URI uri = URI.create(base + pathAndQuery);
        Optional<String> contentType = response.headers().firstValue("Content-Type");
        Exchange exchange = new Exchange(method, uri.getRawPath(), uri.getRawQuery(), body, response.statusCode(),
                contentType.orElse(null), response.body());
        ExchangeLog.record(exchange);
        return new Answer(response.statusCode(), contentType.orElse(""), response.body(), response);
    }

    /** What the server answered. */
    public record Answer(int status, String contentType, String body, HttpResponse<String> raw) {

        public JsonObject json() {
            return new JsonObject(body);
        }

        public Optional<String> header(String name) {
            return raw.headers().firstValue(name);
        }
    }
}
