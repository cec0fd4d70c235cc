package io.muster.controller.http;

import io.muster.controller.access.Access;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.muster.controller.store.HostNotFoundException;
import io.muster.controller.store.InvalidCursorException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.muster.controller.store.DatabaseUnavailableException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's HTTP server: one router on which the {@link ApiPart}s declare their routes
 * through {@link Routes} (each with its rule), a body limit, and one failure handler. Every error
 * is an RFC 9457 problem; unexpected failures are logged here and answered 500 with a generic
 * detail.
 *
 * <p>It listens before the member has joined the cluster (Hazelcast publishes the real port) and
 * answers only {@code /healthz} until {@link #open}: every other request gets a 503 problem
 * "member-starting", since the parts that serve it need the cluster.
 *
 * <p>Threading: handlers run on Vert.x event loops and never block; {@link #listen}, {@link #open}
 * and {@link #close} may be called from any thread.
 */
public final class HttpApi {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    public static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final String HEALTH = "/healthz";
    /** POST paths whose body is not buffered (nor limited to {@link #MAX_BODY_BYTES}): see ArtifactRoutes. */
    public static final Set<String> STREAMED_UPLOADS = Set.of("/api/v1/images", "/api/v1/agent-builds");

    /** True for an artifact upload, whose body its route streams to the store (no handler may buffer it). */
    public static boolean streamsBody(HttpServerRequest request) {
        return request.method() == HttpMethod.POST && STREAMED_UPLOADS.contains(request.path());
    }

    /** SQLSTATEs of text PostgreSQL refuses to store: invalid byte sequence (NUL), untranslatable character. */
    private static final Set<String> UNSTORABLE_TEXT = Set.of("22021", "22P05");

    private final Vertx vertx;
    private final Router router;
    private final Routes routes;
    private HttpServer server;
    private volatile boolean open;

    public HttpApi(Vertx vertx, Access access) {
        this.vertx = vertx;
        this.router = Router.router(vertx);
        this.routes = new Routes(router, access);
        // Before every other handler (authentication included): a starting member serves no part yet.
        router.route().order(-3).handler(ctx -> {
            if (open || ctx.request().path().equals(HEALTH)) {
                ctx.next();
            } else {
                ctx.response().putHeader("Retry-After", "1");
                Problem.of(503, "member-starting", "Service unavailable",
                        "this member is joining its cluster; retry shortly").send(ctx);
            }
        });
        // Liveness: the process serves, from the moment it listens.
        routes.open(HEALTH, ctx -> ctx.response().putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("status", "ok").encode()));
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        // Artifact uploads (image tarballs, agent builds) stream their body to the store themselves.
        router.route().handler(ctx -> {
            if (streamsBody(ctx.request())) {
                ctx.next();
            } else {
                bodies.handle(ctx);
            }
        });
        router.route().failureHandler(this::failure);
        router.errorHandler(404, ctx -> Problem.notFound("no-route",
                "no resource at " + ctx.request().path()).send(ctx));
        router.errorHandler(405, ctx -> Problem.of(405, "method-not-allowed", "Method not allowed",
                ctx.request().method() + " is not allowed on " + ctx.request().path()).send(ctx));
    }

    /** The router, for handlers that apply to every request (authentication); routes go through {@link #routes}. */
    public Router router() {
        return router;
    }

    /** Where parts declare their routes. */
    public Routes routes() {
        return routes;
    }

    /** Declares the routes of each part, in order. */
    public HttpApi mount(List<? extends ApiPart> parts) {
        parts.forEach(part -> part.routes(routes));
        return this;
    }

    /** Serves every route declared so far and from now on (until then only {@code /healthz}). */
    public void open() {
        open = true;
    }

    /** Binds the server; port 0 picks a free one (see {@link HttpServer#actualPort()}). */
    public Future<HttpServer> listen(String host, int port) {
        // No h2c upgrade: the server must read an upgrade request's whole body before it switches,
        // which a streamed artifact upload (paused until its token is checked) never allows, so
        // such an upload hung (the JDK's HttpClient asks for h2c by default). HTTP/1.1 serves all.
        RequestHeadDeadline heads = new RequestHeadDeadline(vertx, RequestHeadDeadline.DEADLINE);
        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port)
                        .setHttp2ClearTextEnabled(false)
                        .setWebSocketSubProtocols(java.util.List.of("graphql-transport-ws")))
                .connectionHandler(heads::opened)
                .requestHandler(heads.guard(MalformedRequests.guard(router)))
                .invalidRequestHandler(MalformedRequests::invalid)
                .listen()
                .onSuccess(s -> {
                    server = s;
                    log.info("HTTP API listening on {}:{}", host, s.actualPort());
                });
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        Problem problem = problem(ctx, failure);
        if (problem.status() == 503 && !ctx.response().headWritten()) {
            ctx.response().putHeader("Retry-After", "5");
        }
        problem.send(ctx);
    }

    /**
     * True when the failure is PostgreSQL being away (stopped, restarting, unreachable) rather
     * than a bug: connection refused or closed, a pool, connect or statement timeout, or a server-side
     * shutdown or connection error (SQLSTATE classes 08 and 57P).
     */
    static boolean databaseUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedConnectionException
                    || t instanceof DatabaseUnavailableException || t instanceof ClosedChannelException
                    || t instanceof TimeoutException) {
                return true;
            }
            // Vert.x's own timeouts carry no type: the pool's "Timeout waiting for connection" and a
            // bare "Timeout" (a starved store in the 1-hour soak: a task POST answered 500 with it).
            if ((t instanceof io.vertx.core.impl.NoStackTraceThrowable || t instanceof io.vertx.core.VertxException)
                    && t.getMessage() != null && t.getMessage().startsWith("Timeout")) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int end = message.indexOf('\n');
        String line = end < 0 ? message : message.substring(0, end);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** A 4xx that Vert.x decided without an exception (e.g. 415, 417): named after its status. */
    private static Problem refused(int status, String reason) {
        String phrase = HttpResponseStatus.valueOf(status).reasonPhrase();
        String kind = phrase.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        String detail = reason != null && !reason.isBlank() ? firstLine(reason) : switch (status) {
            case 404 -> "no resource at this path (see /api/v1/openapi.json)";
            case 406 -> "no representation matches the Accept header; the API answers application/json";
            case 415 -> "the Content-Type of the body is not one this operation accepts (see /api/v1/openapi.json)";
            case 417 -> "the Expect header names an expectation the server does not meet (only 100-continue is known)";
            default -> "the request was refused: " + phrase;
        };
        return Problem.of(status, kind, phrase, detail);
    }

    private static Problem problem(RoutingContext ctx, Throwable failure) {
        if (failure instanceof ProblemException pe) {
            return pe.problem();
        }
        if (failure instanceof HostNotFoundException nf) {
            return Problem.notFound("host-not-found", "no host with id '" + nf.hostId() + "'");
        }
        if (failure instanceof InvalidCursorException ic) {
            return Problem.badRequest("invalid-cursor", ic.getMessage());
        }
        if (failure instanceof DecodeException bad) {
            return Problem.badRequest("invalid-json", "a JSON value in the request (the body, or a parameter such as"
                    + " GraphQL's variables) is not valid JSON: " + firstLine(bad.getMessage()));
        }
        if (failure instanceof PgException pg && UNSTORABLE_TEXT.contains(pg.getSqlState())) {
            return Problem.badRequest("invalid-text", "a value in the request contains a character PostgreSQL cannot"
                    + " store (a NUL, \\u0000, or invalid UTF-8); remove it");
        }
        if (databaseUnavailable(failure)) {
            return Problem.of(503, "database-unavailable", "Service unavailable",
                    "the database does not answer, so the request was not carried out; retry shortly");
        }
        int status = ctx.statusCode();
        if (failure == null && status == 413) {
            return Problem.of(413, "body-too-large", "Content too large",
                    "the request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        if (status >= 400 && status < 500) {
            // A handler of Vert.x (body limits, GraphQL) refused the request itself, with or without a reason.
            return refused(status, failure == null ? null : failure.getMessage());
        }
        log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
        return Problem.of(500, "internal", "Internal server error",
                "the controller could not complete the request; the failure is in its log");
    }
}
