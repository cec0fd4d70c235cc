package io.muster.installer.fleet;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What the installer asks the controller's REST API: a host's state ({@code GET
 * /api/v1/hosts/{id}}) to wait for {@code online}, and {@code decommission} ({@code POST
 * /api/v1/hosts/{id}/lifecycle}) for {@code muster uninstall --decommission}. Plain JDK HTTP
 * client with a bearer token. Thread-safe.
 */
public final class FleetApi {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    /**
     * What the controller says about a host.
     *
     * @param state     {@code online} or {@code offline}
     * @param lifecycle {@code ready}, {@code cordoned}, ..., {@code decommissioned}
     * @param lastSeen  the controller's time of the host's last connect, heartbeat or disconnect; null
     *                  when it was never seen
     */
    public record HostStatus(String state, String lifecycle, Instant lastSeen) {

        public boolean online() {
            return "online".equals(state);
        }

        /**
         * Online, and heard from at or after {@code since}: a session that is newer than {@code since}
         * (the host's row stays {@code online} with the old last-seen time for a while after its agent
         * stopped, until the disconnect is written).
         */
        public boolean onlineSince(Instant since) {
            return online() && lastSeen != null && !lastSeen.isBefore(since);
        }
    }

    /**
     * The controller's API did not answer or refused a request: a failure of its own, not of the SSH
     * session it happened during. The message says which request and what came back.
     */
    public static final class Failure extends IOException {

        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** @param base e.g. {@code http://10.0.0.1:8080}; @param token an API token (viewer for install, operator to decommission) */
    public FleetApi(String base, String token) {
        this.base = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.token = token;
    }

    /** The host, or empty when the controller does not know it (yet). @throws Failure on any other answer */
    public Optional<HostStatus> host(String hostId) throws IOException, InterruptedException {
        HttpResponse<String> response = send(request("/api/v1/hosts/" + encode(hostId)).GET().build());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        JsonObject body = body(response, 200);
        String lastSeen = body.getString("lastSeen");
        try {
            return Optional.of(new HostStatus(body.getString("state"), body.getString("lifecycle"),
                    lastSeen == null ? null : Instant.parse(lastSeen)));
        } catch (DateTimeParseException e) {
            throw new Failure("the controller answered GET " + response.request().uri().getPath() + " with a lastSeen that is no "
                    + "ISO-8601 instant: " + lastSeen, e);
        }
    }

    /** Asks for the host's decommission (the agent does the work; the lifecycle becomes {@code decommissioned}). */
    public void decommission(String hostId) throws IOException, InterruptedException {
        HttpResponse<String> response = send(request("/api/v1/hosts/" + encode(hostId) + "/lifecycle")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("action", "decommission").encode()))
                .build());
        body(response, 202);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT);
        return token == null || token.isBlank() ? builder : builder.header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure("the controller API at " + base + " did not answer: " + e.getMessage(), e);
        }
    }

    private static JsonObject body(HttpResponse<String> response, int expected) throws IOException {
        JsonObject body;
        try {
            body = response.body() == null || response.body().isBlank() ? new JsonObject() : new JsonObject(response.body());
        } catch (DecodeException e) {
            body = new JsonObject();
        }
        if (response.statusCode() != expected) {
            String detail = body.getString("detail", body.getString("title", response.body()));
            throw new Failure("the controller answered " + response.statusCode() + " to " + response.request().method() + " "
                    + response.request().uri().getPath() + ": " + detail);
        }
        return body;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
