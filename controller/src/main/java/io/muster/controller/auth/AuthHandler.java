package io.muster.controller.auth;

import io.muster.controller.access.Principal;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.proto.grant.HostProof;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates /api/v1/* and /graphql: a valid bearer token (else 401) becomes the request's
 * {@link Principal} ({@link Callers}). It decides nothing else: each route applies its own rule
 * (role and scope) through the access package. Every mutating call is audited when its response
 * ends, refused ones included. Routes declared open (health, metrics, the OpenAPI document, the CA
 * certificate) pass without a token. An address that made too many calls failing authentication
 * is refused 429 before its token is looked at ({@link UnauthenticatedLimit}). A download grant
 * authenticates only together with the proof of the host it is for ({@link GrantProofs}).
 *
 * <p>Runs on the event loop after the body was read (a streamed artifact upload stays paused
 * instead); only chains futures.
 */
public final class AuthHandler implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);
    private static final Set<HttpMethod> MUTATIONS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private final ApiTokens tokens;
    private final GrantProofs grantProofs;
    private final AuditLog audit;
    private final UnauthenticatedLimit limit;
    private final Predicate<String> open;

    /** @param open paths that need no token */
    public AuthHandler(ApiTokens tokens, GrantProofs grantProofs, AuditLog audit, UnauthenticatedLimit limit, Predicate<String> open) {
        this.tokens = tokens;
        this.grantProofs = grantProofs;
        this.audit = audit;
        this.limit = limit;
        this.open = open;
    }

    private boolean guarded(String path) {
        return (path.startsWith("/api/v1/") || path.equals("/api/v1") || path.equals("/graphql") || path.startsWith("/graphql/"))
                && !open.test(path);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (!guarded(path)) {
            ctx.next();
            return;
        }
        HttpMethod method = ctx.request().method();
        // Only a streamed upload (an artifact) arrives here unread: its bytes wait while the token is
        // checked, and its route resumes the request.
        if (!ctx.request().isEnded()) {
            ctx.request().pause();
            ctx.addHeadersEndHandler(v -> {
                if (!ctx.request().isEnded() && ctx.response().getStatusCode() >= 400) {
                    // The unread body would otherwise be parsed as the next request on this connection.
                    ctx.response().putHeader("Connection", "close");
                }
            });
        }
        String address = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
        UnauthenticatedLimit.Admission admission = limit.admit(address);
        if (admission != UnauthenticatedLimit.Admission.CHECK) {
            if (admission == UnauthenticatedLimit.Admission.REFUSE_FIRST) {
                // One audit event per episode; the refused calls themselves are counted, not queued.
                audit.record(null, null, "rate-limit unauthenticated", "address:" + address, 429,
                        "more than " + UnauthenticatedLimit.BURST + " calls failed authentication; refusing its calls");
            }
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, limit.retryAfterSeconds(address))));
            Problem.of(429, "too-many-unauthenticated", "Too many requests", "too many calls from " + address
                    + " failed authentication; retry later").send(ctx);
            return;
        }
        String presented = bearer(ctx.request().getHeader("Authorization"));
        if (MUTATIONS.contains(method)) {
            auditWhenDone(ctx, method, path, presented);
        }
        tokens.verify(presented).compose(principal -> principal.grant() == null ? Future.succeededFuture(principal)
                : tokens.grantBinding(principal.tokenId()).compose(binding -> grantProofs.check(binding, ctx.request().path(),
                        ctx.request().getHeader("Authorization"), ctx.request().getHeader(HostProof.HEADER)))
                        .map(principal)).onComplete(verified -> {
            if (verified.failed()) {
                if (verified.cause() instanceof GrantProofs.Refused refused) {
                    if (refused.status() == 401) {
                        limit.refused(address);
                    }
                    ctx.put(Callers.REFUSAL, refused.getMessage());
                    Problem.of(refused.status(), refused.status() == 401 ? "unauthenticated" : "forbidden",
                            refused.status() == 401 ? "Unauthorized" : "Forbidden", refused.getMessage()).send(ctx);
                } else if (verified.cause() instanceof ApiTokens.Rejected rejected) {
                    limit.refused(address);
                    ctx.put(Callers.REFUSAL, rejected.getMessage());
                    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"muster\"");
                    Problem.of(401, "unauthenticated", "Unauthorized", rejected.getMessage()).send(ctx);
                } else {
                    LOG.warn("could not verify an API token: {}", verified.cause().toString());
                    // As every 503 of the API (HttpApi): when to come back.
                    ctx.response().putHeader("Retry-After", "5");
                    Problem.of(503, "auth-unavailable", "Service unavailable",
                            "the controller could not check the token in its database; retry shortly").send(ctx);
                }
                return;
            }
            Callers.attach(ctx, verified.result());
            ctx.next();
        });
    }

    private void auditWhenDone(RoutingContext ctx, HttpMethod method, String path, String presented) {
        String action = method + " " + path;
        ctx.addBodyEndHandler(v -> {
            Principal principal = Callers.principal(ctx).orElse(null);
            int status = ctx.response().getStatusCode();
            String location = ctx.response().headers().get("Location");
            String target = targetOf(path, status, location);
            String detail = ctx.get(Callers.REFUSAL);
            if (principal != null) {
                audit.record(principal.tokenId(), principal.name(), action, target, status, detail);
            } else {
                String claimed = TokenSecret.parse(ApiTokens.PREFIX, presented).map(TokenSecret::id).orElse(null);
                audit.record(null, null, action, target, status,
                        (detail == null ? "" : detail) + (claimed == null ? "" : " (claimed token id " + claimed + ")"));
            }
        });
    }

    // A created task is named by its id so that "created by this token" can be looked up.
    static String targetOf(String path, int status, String location) {
        if (status == 201 && location != null && location.startsWith("/api/v1/tasks/")) {
            return "task:" + location.substring("/api/v1/tasks/".length());
        }
        return path;
    }

    static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return value.substring(7).strip();
        }
        return value.isEmpty() ? null : "";
    }
}
