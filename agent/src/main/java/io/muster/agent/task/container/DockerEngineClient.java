package io.muster.agent.task.container;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Docker Engine API client over the engine's unix socket (Docker, or Podman's compatible API):
 * HTTP/1.1 on the JDK's unix-domain {@code SocketChannel}, one connection per call, JSON through
 * protobuf's {@link JsonFormat} into {@link Value}s.
 *
 * <p>Threading: thread-safe and stateless between calls; each call blocks its caller. A call is
 * stopped early by aborting the {@link AbortSignal} passed with it, from any thread.
 *
 * <p>Guarantees: every failure is an {@link EngineException}; an engine answer of 4xx/5xx carries
 * the engine's {@code message} verbatim; a missing socket or refused connection says
 * "container engine not reachable at &lt;socket&gt;: ...". Connects wait at most the connect
 * timeout and each read at most the read timeout (per request overridable).
 */
public final class DockerEngineClient {

    /** API version all paths are sent under; Docker 20.10+ and Podman 3+ serve it. */
    public static final String API_PREFIX = "/v1.41";
    public static final Path DOCKER_SOCKET = Path.of("/run/docker.sock");
    public static final Path PODMAN_SOCKET = Path.of("/run/podman/podman.sock");
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    /** Error bodies larger than this are not messages; keep the first part. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final Path socket;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    public DockerEngineClient(Path socket, Duration connectTimeout, Duration readTimeout) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
    }

    /** A client for the configured socket, or the default one when {@code configured} is null. */
    public static DockerEngineClient forSocket(Path configured) {
        return new DockerEngineClient(resolveSocket(configured), DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
    }

    /** The configured socket; else {@code /run/docker.sock} when it exists, else Podman's socket. */
    public static Path resolveSocket(Path configured) {
        if (configured != null) {
            return configured;
        }
        return Files.exists(DOCKER_SOCKET) ? DOCKER_SOCKET : PODMAN_SOCKET;
    }

    public Path socket() {
        return socket;
    }

    /** Checks that the engine answers {@code GET /_ping}. */
    public void ping() throws EngineException {
        call(EngineRequest.get("/_ping"), AbortSignal.NEVER);
    }

    /**
     * Sends a request and reads the whole answer, parsed as JSON when there is a body.
     *
     * @throws EngineException when the engine answers 4xx/5xx, is unreachable, or the exchange fails
     */
    public JsonReply call(EngineRequest request, AbortSignal abort) throws EngineException {
        try (EngineResponse response = open(request, abort)) {
            byte[] body = response.body().readAllBytes();
            String type = response.header("content-type");
            Value json = body.length == 0 || type == null || !type.contains("json") ? null : parseJson(body);
            return new JsonReply(response.status(), json, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw broken(e, abort, request);
        }
    }

    /**
     * Sends a request and returns the answer with its body still streaming. The caller closes it.
     *
     * @throws EngineException when the engine answers 4xx/5xx (the body is consumed for its
     *                         message), is unreachable, or the exchange fails
     */
    public EngineResponse open(EngineRequest request, AbortSignal abort) throws EngineException {
        EngineConnection connection;
        try {
            connection = EngineConnection.open(socket, connectTimeout);
        } catch (IOException e) {
            throw new EngineException(EngineException.NOT_REACHABLE,
                    "container engine not reachable at " + socket + ": " + describe(e), e);
        }
        AbortSignal.Registration registration = abort.register(connection);
        Closeable release = () -> {
            registration.close();
            connection.close();
        };
        try {
            Duration timeout = request.readTimeout() == null ? readTimeout
                    : request.readTimeout().isZero() ? null : request.readTimeout();
            writeRequest(connection, request);
            InputStream in = connection.inputStream(timeout);
            int status;
            Map<String, String> headers;
            do {
                status = readStatus(in);
                headers = readHeaders(in);
            } while (status >= 100 && status < 200);
            InputStream body = bodyOf(status, headers, in);
            if (status >= 400) {
                String message = errorMessage(status, readCapped(body));
                release.close();
                throw new EngineException(status, message);
            }
            return new EngineResponse(status, headers, body, release);
        } catch (IOException e) {
            closeQuietly(release);
            throw broken(e, abort, request);
        } catch (EngineException | RuntimeException e) {
            closeQuietly(release);
            throw e;
        }
    }

    /** Parses engine JSON (object, array, or scalar). */
    static Value parseJson(byte[] json) throws EngineException {
        return parseJson(new String(json, StandardCharsets.UTF_8));
    }

    static Value parseJson(String json) throws EngineException {
        try {
            Value.Builder value = Value.newBuilder();
            JsonFormat.parser().ignoringUnknownFields().merge(json, value);
            return value.build();
        } catch (InvalidProtocolBufferException e) {
            throw new EngineException(EngineException.NOT_REACHABLE,
                    "container engine sent JSON that does not parse: " + e.getMessage(), e);
        }
    }

    private void writeRequest(EngineConnection connection, EngineRequest request) throws IOException {
        long length = request.body() != null ? request.body().length
                : request.bodyFile() != null ? Files.size(request.bodyFile()) : 0;
        StringBuilder head = new StringBuilder()
                .append(request.method()).append(' ').append(API_PREFIX).append(request.target()).append(" HTTP/1.1\r\n")
                .append("Host: docker\r\n")
                .append("User-Agent: muster-agent\r\n")
                .append("Connection: close\r\n");
        if (request.contentType() != null) {
            head.append("Content-Type: ").append(request.contentType()).append("\r\n");
        }
        if (length > 0 || !"GET".equals(request.method())) {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        head.append("\r\n");
        OutputStream out = connection.outputStream(readTimeout);
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        if (request.body() != null) {
            out.write(request.body());
        } else if (request.bodyFile() != null) {
            try (InputStream file = Files.newInputStream(request.bodyFile())) {
                file.transferTo(out);
            }
        }
    }

    private static int readStatus(InputStream in) throws IOException {
        String line = HttpLines.readLine(in);
        if (line == null) {
            throw new IOException("engine closed the connection without answering");
        }
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP status line: '" + line + "'");
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status line: '" + line + "'");
        }
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new HashMap<>();
        String line;
        while ((line = HttpLines.readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        if (line == null) {
            throw new IOException("engine closed the connection inside the response headers");
        }
        return headers;
    }

    private static InputStream bodyOf(int status, Map<String, String> headers, InputStream in) throws IOException {
        if (status == 204 || status == 304) {
            return InputStream.nullInputStream();
        }
        String encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return new ChunkedInputStream(in);
        }
        String length = headers.get("content-length");
        if (length != null) {
            try {
                return new LimitedInputStream(in, Long.parseLong(length));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length from engine: " + length);
            }
        }
        return in; // Connection: close delimits the body
    }

    private static byte[] readCapped(InputStream body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < MAX_ERROR_BODY && (n = body.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** The engine's {@code message} verbatim; the raw body or the status when there is none. */
    static String errorMessage(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        if (text.startsWith("{")) {
            try {
                Value json = parseJson(text);
                Value message = json.getStructValue().getFieldsOrDefault("message", null);
                if (message != null && message.hasStringValue() && !message.getStringValue().isEmpty()) {
                    return message.getStringValue();
                }
            } catch (EngineException e) {
                // Not JSON after all: the raw text below is the best message there is.
            }
        }
        return text.isEmpty() ? "container engine answered HTTP " + status : text;
    }

    private EngineException broken(IOException e, AbortSignal abort, EngineRequest request) {
        AbortSignal.Reason reason = abort.reason();
        if (reason != null) {
            return new EngineException(EngineException.NOT_REACHABLE,
                    "call to the container engine stopped (" + reason.name().toLowerCase(Locale.ROOT) + ")", e);
        }
        if (e instanceof SocketTimeoutException) {
            return new EngineException(EngineException.NOT_REACHABLE,
                    "container engine at " + socket + " did not answer " + request.method() + " "
                            + request.path() + " in time: " + e.getMessage(), e);
        }
        return new EngineException(EngineException.NOT_REACHABLE,
                "connection to the container engine at " + socket + " failed during " + request.method() + " "
                        + request.path() + ": " + describe(e), e);
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // The connection is being thrown away; nothing more to do.
        }
    }

    /**
     * A fully read answer.
     *
     * @param status HTTP status (2xx or 304)
     * @param json   parsed JSON body, or null when the body is empty or not JSON
     * @param text   the raw body as text
     */
    public record JsonReply(int status, Value json, String text) {
    }
}
