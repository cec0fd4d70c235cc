package io.muster.client;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A typed client of a Muster controller's REST API ({@code /api/v1}), on the JDK's
 * {@link HttpClient} with Vert.x's JSON types. Every member serves the whole API, so any member's
 * URL will do.
 *
 * <pre>{@code
 * MusterClient muster = MusterClient.builder("http://127.0.0.1:8080").token(System.getenv("MUSTER_TOKEN")).build();
 * for (Host host : muster.hosts().list("role=web,load.1m>8")) {
 *     System.out.println(host.id() + " " + host.vitals().get("load.1m"));
 * }
 * Task task = muster.tasks().submit(TaskRequest.exec("uptime").selector("role=web"));
 * try (EventStream progress = muster.tasks().progress(task.id())) {
 *     progress.forEachRemaining(event -> System.out.println(event.json().getJsonObject("counts")));
 * }
 * muster.tasks().runs(task.id()).forEach(run -> System.out.println(run.hostId() + " " + run.exitCode()));
 * }</pre>
 *
 * <p>Calls block the calling thread; the client is thread-safe and cheap to keep. A refusal is a
 * {@link ProblemException} (a subclass per status that has a meaning of its own); a controller
 * that does not answer is an {@link UnreachableException}; anything else that breaks a call is a
 * {@link MusterException} naming the request.
 */
public final class MusterClient {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** Page size the listings ask for (the API's largest). */
    static final int PAGE = 1_000;

    private final String base;
    private final Supplier<String> token;
    private final Duration requestTimeout;
    private final HttpClient http;
    private final Function<String, JsonObject> decoder;

    private MusterClient(Builder builder) {
        this.base = builder.base;
        this.token = builder.token;
        this.requestTimeout = builder.requestTimeout;
        this.decoder = builder.decoder;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(builder.connectTimeout).build();
    }

    /** @param baseUrl the controller's HTTP address, e.g. {@code http://127.0.0.1:8080} */
    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    /** How to reach the controller. */
    public static final class Builder {
        private final String base;
        private Supplier<String> token = () -> null;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Function<String, JsonObject> decoder = JsonObject::new;

        private Builder(String baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        }

        /** The API token sent as a bearer token (null or blank: none). */
        public Builder token(String apiToken) {
            String fixed = apiToken == null || apiToken.isBlank() ? null : apiToken.strip();
            this.token = () -> fixed;
            return this;
        }

        /** Asks for the token on every request (a token file that appears later); null: none. */
        public Builder token(Supplier<String> apiToken) {
            this.token = Objects.requireNonNull(apiToken, "apiToken");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The limit of one request's answer (event streams have none). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How a JSON answer becomes the object the parsers read. Package-private: the contract test
         * decodes into an object that notes every key read, to hold the parsers to the document.
         */
        Builder decoder(Function<String, JsonObject> jsonDecoder) {
            this.decoder = Objects.requireNonNull(jsonDecoder, "jsonDecoder");
            return this;
        }

        public MusterClient build() {
            return new MusterClient(this);
        }
    }

    /** The base URL requests go to. */
    public String baseUrl() {
        return base;
    }

    public Hosts hosts() {
        return new Hosts(this);
    }

    public Tasks tasks() {
        return new Tasks(this);
    }

    public Tokens tokens() {
        return new Tokens(this);
    }

    public Rollouts rollouts() {
        return new Rollouts(this);
    }

    public Schedules schedules() {
        return new Schedules(this);
    }

    /**
     * Inventory changes across the fleet, oldest first, every page ({@code GET /api/v1/changes}):
     * "which hosts changed kernel.release since Monday".
     */
    public Listing<Change> changes(HistoryQuery query) {
        return new Listing<>(this, "/api/v1/changes", query.toQuery().add("selector", query.selector()), Change::of);
    }

    /**
     * The live stream of fleet events ({@code GET /api/v1/events}), server-sent; each event's
     * {@code id} is a stream position to resume after.
     *
     * @param types       event types or families ({@code host.*}); empty for all
     * @param selector    only events about hosts it matches; null for all
     * @param lastEventId resume after this position; null for live events only
     */
    public EventStream events(java.util.List<String> types, String selector, String lastEventId) {
        Query query = new Query();
        types.forEach(type -> query.add("type", type));
        return stream("/api/v1/events", query.add("selector", selector).add("lastEventId", lastEventId));
    }

    /** The cluster's members ({@code GET /api/v1/cluster}). */
    public JsonObject cluster() {
        return get("/api/v1/cluster", new Query());
    }

    /** Who the token is ({@code GET /api/v1/whoami}): tokenId, name, role, scope, expiresAt. */
    public JsonObject whoami() {
        return get("/api/v1/whoami", new Query());
    }

    /** True when this member is ready ({@code GET /readyz} answers 200); false when it answers otherwise. */
    public boolean ready() {
        HttpResponse<String> response = call(request("GET", "/readyz", new Query(), null).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200;
    }

    /** The Prometheus text of {@code GET /metrics}. */
    public String metrics() {
        return text("/metrics", new Query());
    }

    /** The OpenAPI document this member serves ({@code GET /api/v1/openapi.json}). */
    public JsonObject openApi() {
        return get("/api/v1/openapi.json", new Query());
    }

    /**
     * The PEM of the CA that signs agent certificates ({@code GET /api/v1/ca.pem}): what an
     * installer hands a new host so it trusts the controller's TLS gateway.
     */
    public String caCertificate() {
        return text("/api/v1/ca.pem", new Query());
    }

    JsonObject get(String path, Query query) {
        return json(send("GET", path, query, null));
    }

    JsonObject send(String method, String path, JsonObject body) {
        return json(send(method, path, new Query(), body));
    }

    String text(String path, Query query) {
        return send("GET", path, query, null).body();
    }

    EventStream stream(String path, Query query) {
        HttpRequest request = request("GET", path, query, null).timeout(Duration.ofDays(365))
                .header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> response = call(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() >= 300) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            throw ProblemException.of(response.statusCode(), body, response.headers().firstValue("Retry-After"));
        }
        return new EventStream(response.body(), base + path);
    }

    private HttpResponse<String> send(String method, String path, Query query, JsonObject body) {
        HttpResponse<String> response = call(request(method, path, query, body).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw ProblemException.of(response.statusCode(), response.body(), response.headers().firstValue("Retry-After"));
        }
        return response;
    }

    private HttpRequest.Builder request(String method, String path, Query query, JsonObject body) {
        URI uri;
        try {
            uri = URI.create(base + path + query.encode());
        } catch (IllegalArgumentException e) {
            throw new MusterException("'" + base + "' is not a usable controller URL: " + e.getMessage(), e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        String bearer = token.get();
        if (bearer != null && !bearer.isBlank()) {
            request.header("Authorization", "Bearer " + bearer.strip());
        }
        return request;
    }

    private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new UnreachableException(base, e);
        } catch (IOException e) {
            throw new MusterException(request.method() + " " + request.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MusterException("interrupted", e);
        }
    }

    private JsonObject json(HttpResponse<String> response) {
        String body = response.body();
        if (body == null || body.isBlank()) {
            return new JsonObject();
        }
        try {
            return decoder.apply(body);
        } catch (DecodeException e) {
            throw new MusterException("the controller answered " + response.statusCode() + " with a body that is not JSON", e);
        }
    }
}
