package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One call of the Docker Engine API: method, path below the version prefix, query, optional body.
 * Immutable; the {@code with...} methods return copies.
 *
 * @param method      HTTP method
 * @param path        path below {@code /v1.41}, e.g. {@code /containers/create}
 * @param query       query parameters in order; values are URL-encoded when sent
 * @param contentType body media type, null without a body
 * @param body        body bytes, or null
 * @param bodyFile    body read from this file while sending (large tarballs), or null
 * @param readTimeout longest wait for each read of the answer; null means the client's default,
 *                    {@link Duration#ZERO} means no limit (streams that idle legitimately)
 */
public record EngineRequest(
        String method,
        String path,
        Map<String, String> query,
        String contentType,
        byte[] body,
        Path bodyFile,
        Duration readTimeout) {

    public EngineRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = query == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(query));
        if (body != null && bodyFile != null) {
            throw new IllegalArgumentException("a request has either a body or a body file");
        }
    }

    public static EngineRequest get(String path) {
        return new EngineRequest("GET", path, null, null, null, null, null);
    }

    public static EngineRequest post(String path) {
        return new EngineRequest("POST", path, null, null, null, null, null);
    }

    public static EngineRequest delete(String path) {
        return new EngineRequest("DELETE", path, null, null, null, null, null);
    }

    public EngineRequest withQuery(String name, String value) {
        Map<String, String> q = new LinkedHashMap<>(query);
        q.put(name, value);
        return new EngineRequest(method, path, q, contentType, body, bodyFile, readTimeout);
    }

    public EngineRequest withJson(Struct json) {
        byte[] bytes = EngineJson.print(json).getBytes(StandardCharsets.UTF_8);
        return new EngineRequest(method, path, query, "application/json", bytes, null, readTimeout);
    }

    public EngineRequest withBody(String type, byte[] bytes) {
        return new EngineRequest(method, path, query, type, bytes, null, readTimeout);
    }

    public EngineRequest withBodyFile(String type, Path file) {
        return new EngineRequest(method, path, query, type, null, file, readTimeout);
    }

    public EngineRequest withReadTimeout(Duration timeout) {
        return new EngineRequest(method, path, query, contentType, body, bodyFile, timeout);
    }

    /** Path and encoded query as they go on the request line (without the version prefix). */
    public String target() {
        if (query.isEmpty()) {
            return path;
        }
        return path + "?" + query.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
