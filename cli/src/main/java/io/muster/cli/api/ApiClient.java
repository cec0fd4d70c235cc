package io.muster.cli.api;

import io.muster.cli.CommandFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BiPredicate;

/**
 * The tooling verbs' client of a controller's REST API: JSON in and out, the bearer token on
 * every request, a problem answer turned into {@link ApiProblem}, an unreachable controller into
 * a {@link CommandFailure} that says which URL was tried. Blocking; one instance per command run.
 */
public final class ApiClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final String base;
    private final String token;
    private final HttpClient http;

    public ApiClient(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }

    public static String encode(String pathSegmentOrValue) {
        return URLEncoder.encode(pathSegmentOrValue, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public JsonObject get(String path) {
        return json(send("GET", path, null));
    }

    public JsonObject post(String path, JsonObject body) {
        return json(send("POST", path, body));
    }

    public JsonObject put(String path, JsonObject body) {
        return json(send("PUT", path, body));
    }

    public JsonObject patch(String path, JsonObject body) {
        return json(send("PATCH", path, body));
    }

    public JsonObject delete(String path) {
        return json(send("DELETE", path, null));
    }

    /**
     * Reads a server-sent event stream until it ends or {@code onEvent} returns false.
     *
     * @param onEvent called with each event's name and data, on this thread
     */
    public void events(String path, BiPredicate<String, String> onEvent) {
        HttpRequest request = request("GET", path, null).timeout(Duration.ofDays(7)).header("Accept", "text/event-stream").build();
        HttpResponse<InputStream> response = call(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() >= 300) {
            String body;
            try (InputStream in = response.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            throw problem(response.statusCode(), body);
        }
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String event = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0 && !onEvent.test(event, data.toString())) {
                        return;
                    }
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).strip());
                }
            }
        } catch (IOException e) {
            throw new CommandFailure("the event stream from " + base + path + " broke: " + e.getMessage(), e);
        }
    }

    private HttpResponse<String> send(String method, String path, JsonObject body) {
        HttpResponse<String> response = call(request(method, path, body).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw problem(response.statusCode(), response.body());
        }
        return response;
    }

    private HttpRequest.Builder request(String method, String path, JsonObject body) {
        URI uri;
        try {
            uri = URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure("'" + base + "' is not a usable controller URL: " + e.getMessage());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private <T> HttpResponse<T> call(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new CommandFailure("cannot reach the controller at " + base + " (set --url or MUSTER_URL)", e);
        } catch (IOException e) {
            throw new CommandFailure(request.method() + " " + request.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted", e);
        }
    }

    private static JsonObject json(HttpResponse<String> response) {
        String body = response.body();
        if (body == null || body.isBlank()) {
            return new JsonObject();
        }
        try {
            return new JsonObject(body);
        } catch (DecodeException e) {
            throw new CommandFailure("the controller answered " + response.statusCode() + " with a body that is not JSON");
        }
    }

    private static ApiProblem problem(int status, String body) {
        try {
            JsonObject problem = new JsonObject(body);
            return new ApiProblem(status, problem.getString("title", "HTTP " + status), problem.getString("detail"));
        } catch (DecodeException | ClassCastException e) {
            return new ApiProblem(status, "HTTP " + status, body == null ? null : body.strip());
        }
    }
}
