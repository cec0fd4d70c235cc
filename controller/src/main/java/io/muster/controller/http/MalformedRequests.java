package io.muster.controller.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Requests that are broken before any route can look at them: a request target with malformed
 * percent-encoding ({@code ?cursor=%%%garbage}, {@code ?limit=%zz}), that is not UTF-8 or holds a
 * NUL once decoded, a header without a name, or a request line or header
 * the HTTP codec could not parse. Both are the client's fault, so both get a 400-class RFC 9457
 * problem instead of a 500 (the router's decoders throw on a bad escape) or Vert.x's bodiless
 * default.
 *
 * <p>Threading: called on the event loop of the connection; never blocks.
 */
final class MalformedRequests {

    /** Headers whose repetition makes a request ambiguous (which one counts?): refused, not guessed. */
    private static final List<String> SINGLE_HEADERS = List.of("Host", "Authorization", "Content-Type", "Content-Length");

    private MalformedRequests() {
    }

    /**
     * Wraps the router: a request whose target has a bad percent escape is answered here, every
     * other request goes to {@code next}.
     */
    static Handler<HttpServerRequest> guard(Handler<HttpServerRequest> next) {
        return request -> {
            String why = malformedTarget(request.uri());
            if (why == null) {
                why = undecodableQuery(request);
            }
            if (why == null) {
                why = badHeader(request);
            }
            if (why == null) {
                next.handle(request);
            } else {
                // The body, if any, is left unread: close rather than parse it as the next request.
                request.response().putHeader("Connection", "close");
                send(request.response(), Problem.badRequest("malformed-url", why), safePath(request));
            }
        };
    }

    /** For {@code HttpServer.invalidRequestHandler}: what the codec refused, as a problem. */
    static void invalid(HttpServerRequest request) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        Problem problem;
        if (cause instanceof TooLongHttpLineException) {
            problem = Problem.of(414, "uri-too-long", "URI too long", "the request line is longer than the server accepts");
        } else if (cause instanceof TooLongHttpHeaderException) {
            problem = Problem.of(431, "headers-too-large", "Request header fields too large",
                    "the request headers are larger than the server accepts");
        } else {
            problem = Problem.badRequest("malformed-request", "the request line or a header could not be parsed"
                    + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        // The codec cannot continue on this connection: answer and close it.
        request.response().putHeader("Connection", "close");
        send(request.response(), problem, safePath(request)).onComplete(done -> request.connection().close());
    }

    /** Why the raw request target is malformed, or null: every '%' must start a two-hex-digit escape. */
    static String malformedTarget(String uri) {
        if (uri == null || !(uri.startsWith("/") || uri.startsWith("http://") || uri.startsWith("https://"))) {
            return "the request target must be a path starting with '/' (or an absolute http URL)";
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%' && (i + 2 >= uri.length() || !hex(uri.charAt(i + 1)) || !hex(uri.charAt(i + 2)))) {
                String escape = uri.substring(i, Math.min(uri.length(), i + 3));
                return "malformed percent-encoding '" + escape + "' at character " + i + " of the "
                        + (uri.indexOf('?') >= 0 && i > uri.indexOf('?') ? "query" : "path")
                        + ": a '%' must be followed by two hex digits (write a literal '%' as %25)";
            }
            if (c < 0x21 || c == 0x7f) {
                return "the request target contains a control character or space at character " + i
                        + "; percent-encode it";
            }
        }
        return undecodableText(uri);
    }

    /**
     * Why the target's percent-decoded bytes are not text Muster can take, or null: they must be
     * UTF-8 (as RFC 3986 asks) and hold no NUL, which no identifier, selector or cursor contains
     * and PostgreSQL cannot store.
     */
    private static String undecodableText(String uri) {
        ByteBuffer bytes = ByteBuffer.allocate(uri.length());
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                bytes.put((byte) Integer.parseInt(uri, i + 1, i + 3, 16));
                i += 2;
            } else {
                // The codec hands raw request-target bytes over one char per byte.
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        for (int i = bytes.position(); i < bytes.limit(); i++) {
            if (bytes.get(i) == 0) {
                return "the request target contains a NUL character (%00), which no Muster value can hold";
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return null;
        } catch (CharacterCodingException e) {
            return "the request target is not UTF-8 once percent-decoded (" + e.getMessage() + "); encode text as UTF-8";
        }
    }

    private static String badHeader(HttpServerRequest request) {
        for (String name : request.headers().names()) {
            if (name.isBlank()) {
                return "a request header has an empty name";
            }
        }
        for (String name : SINGLE_HEADERS) {
            int count = request.headers().getAll(name).size();
            if (count > 1) {
                return "the " + name + " header appears " + count + " times; send it once";
            }
        }
        return null;
    }

    private static String undecodableQuery(HttpServerRequest request) {
        try {
            request.params();
            return null;
        } catch (IllegalArgumentException e) {
            return "the query string could not be decoded (" + e.getMessage() + "); check its percent-encoding";
        }
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The path for the problem's instance member, or "/" when even that cannot be read. */
    private static String safePath(HttpServerRequest request) {
        try {
            String path = request.path();
            return path == null ? "/" : path;
        } catch (RuntimeException e) {
            return "/";
        }
    }

    private static Future<Void> send(HttpServerResponse response, Problem problem, String instance) {
        return response.setStatusCode(problem.status())
                .putHeader("Content-Type", Problem.CONTENT_TYPE)
                .end(problem.body(instance).encode());
    }
}
