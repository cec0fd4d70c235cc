package io.muster.cli.demo;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The few calls the demo makes to a controller's HTTP API, as the admin whose token the first
 * member wrote. Each call is one blocking request
 * with a short timeout; a member that does not answer yet reads as "not ready" or empty, never
 * as an exception, because the demo polls while members start. Thread-safe.
 */
final class ControllerApi {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Path tokenFile;

    /** @param tokenFile the admin token the first member writes; read on every call, absent until it exists */
    ControllerApi(Path tokenFile) {
        this.tokenFile = tokenFile;
    }

    static String base(int httpPort) {
        return "http://127.0.0.1:" + httpPort;
    }

    /** True when GET /readyz answers 200. */
    boolean ready(int httpPort) throws InterruptedException {
        return get(httpPort, "/readyz").map(r -> r.statusCode() == 200).orElse(false);
    }

    /** GET /api/v1/hosts/{id}, empty while unknown or unreachable. */
    Optional<JsonObject> host(int httpPort, String hostId) throws InterruptedException {
        return json(httpPort, "/api/v1/hosts/" + URLEncoder.encode(hostId, StandardCharsets.UTF_8));
    }

    /** GET /api/v1/cluster, empty when unreachable. */
    Optional<JsonObject> cluster(int httpPort) throws InterruptedException {
        return json(httpPort, "/api/v1/cluster");
    }

    private Optional<JsonObject> json(int httpPort, String path) throws InterruptedException {
        Optional<HttpResponse<String>> response = get(httpPort, path);
        if (response.isEmpty() || response.get().statusCode() != 200) {
            return Optional.empty();
        }
        try {
            return Optional.of(new JsonObject(response.get().body()));
        } catch (DecodeException e) {
            return Optional.empty();
        }
    }

    /** The admin API token, empty until the first member wrote it. */
    Optional<String> token() {
        try {
            String text = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<HttpResponse<String>> get(int httpPort, String path) throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base(httpPort) + path)).timeout(TIMEOUT).GET();
        token().ifPresent(token -> builder.header("Authorization", "Bearer " + token));
        HttpRequest request = builder.build();
        try {
            return Optional.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
