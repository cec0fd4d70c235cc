package io.muster.controller.auth;

import io.muster.controller.api.Problem;
import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.TaskRequestParser;
import io.muster.controller.task.TaskTarget;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards /api/v1/* and /graphql: a valid bearer token (else 401), a role that may make the call
 * (else 403), and for a scoped token the scope rules (a host outside it is 404 as if absent, a
 * task reaching outside it is 403 with the {@code count} of hosts outside, a task not visible is
 * 404, host listings are narrowed to the scope). Every mutating call is audited when its response
 * ends, refused ones included. /healthz, /readyz, /metrics, /api/v1/openapi.json and
 * /api/v1/ca.pem stay open.
 *
 * <p>Runs on the event loop after the body was read (a streamed artifact upload stays paused
 * instead); only chains futures.
 */
public final class AuthHandler implements Handler<RoutingContext> {

    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);
    static final String PRINCIPAL = "muster.principal";
    private static final Pattern HOST_PATH = Pattern.compile("/api/v1/hosts/([^/]+)(/.*)?");
    private static final Pattern TASK_PATH = Pattern.compile("/api/v1/tasks/([^/]+)(/.*)?");

    private final ApiTokens tokens;
    private final AccessPolicy policy;
    private final ScopeGuard scopes;
    private final AuditLog audit;
    private final TaskRequestParser taskParser = new TaskRequestParser();

    public AuthHandler(ApiTokens tokens, AccessPolicy policy, ScopeGuard scopes, AuditLog audit) {
        this.tokens = tokens;
        this.policy = policy;
        this.scopes = scopes;
        this.audit = audit;
    }

    /** The caller of a request that passed this handler. */
    public static Optional<Principal> principal(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(PRINCIPAL));
    }

    static boolean guarded(String path) {
        return (path.startsWith("/api/v1/") || path.equals("/api/v1") || path.equals("/graphql") || path.startsWith("/graphql/"))
                && !path.equals("/api/v1/openapi.json") && !path.equals(AuthRoutes.CA_PEM);
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
        String presented = bearer(ctx.request().getHeader("Authorization"));
        if (AccessPolicy.mutating(method)) {
            auditWhenDone(ctx, method, path, presented);
        }
        tokens.verify(presented).onComplete(verified -> {
            if (verified.failed()) {
                if (verified.cause() instanceof ApiTokens.Rejected rejected) {
                    ctx.put("muster.refusal", rejected.getMessage());
                    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"muster\"");
                    Problem.of(401, "unauthenticated", "Unauthorized", rejected.getMessage()).send(ctx);
                } else {
                    LOG.warn("could not verify an API token: {}", verified.cause().toString());
                    Problem.of(503, "auth-unavailable", "Service unavailable",
                            "the controller could not check the token; retry shortly").send(ctx);
                }
                return;
            }
            Principal principal = verified.result();
            ctx.put(PRINCIPAL, principal);
            Role required = policy.required(method, path);
            if (!principal.role().includes(required)) {
                forbid(ctx, "role " + principal.role().wireName() + " may not " + method + " " + path
                        + "; it needs " + required.wireName());
                return;
            }
            if (!principal.scoped()) {
                ctx.next();
                return;
            }
            if (AccessPolicy.unscopedOnly(path)) {
                forbid(ctx, "a token scoped to '" + principal.scope() + "' cannot use " + path);
                return;
            }
            checkScope(ctx, method, path, principal).onComplete(ar -> {
                if (ar.failed()) {
                    ctx.fail(ar.cause());
                } else if (ar.result()) {
                    ctx.next();
                }
            });
        });
    }

    /** Completes with true to go on; false when a problem was already sent. */
    private Future<Boolean> checkScope(RoutingContext ctx, HttpMethod method, String path, Principal principal) {
        Selector scope = principal.scope();
        if (path.equals("/api/v1/hosts") && method == HttpMethod.GET) {
            narrowHostListing(ctx, scope);
            return Future.succeededFuture(true);
        }
        Matcher host = HOST_PATH.matcher(path);
        if (host.matches()) {
            String hostId = host.group(1);
            return scopes.hostVisible(hostId, scope).map(visible -> {
                if (!visible) {
                    Problem.notFound("host-not-found", "no host with id '" + hostId + "'").send(ctx);
                }
                return visible;
            });
        }
        if (path.equals("/api/v1/tasks") && method == HttpMethod.POST) {
            TaskTarget target;
            try {
                target = taskParser.parse(ctx.body().buffer()).target();
            } catch (InvalidTaskRequestException e) {
                return Future.succeededFuture(true); // the task route answers 400 with the reason
            }
            return scopes.outside(target, scope).map(outside -> {
                if (outside > 0) {
                    Problem.of(403, "outside-scope", "Forbidden", "the task reaches " + outside
                                    + " host(s) outside the token's scope '" + scope + "'")
                            .with("count", outside).send(ctx);
                    return false;
                }
                return true;
            });
        }
        Matcher task = TASK_PATH.matcher(path);
        if (task.matches()) {
            UUID taskId;
            try {
                taskId = UUID.fromString(task.group(1));
            } catch (IllegalArgumentException e) {
                return Future.succeededFuture(true);
            }
            return scopes.taskVisible(taskId, scope, principal.tokenId()).map(visible -> {
                if (!visible) {
                    Problem.notFound("task-not-found", "no task with id " + taskId).send(ctx);
                }
                return visible;
            });
        }
        return Future.succeededFuture(true);
    }

    // A malformed selector is left alone so that the host route answers its 400 with the column.
    private static void narrowHostListing(RoutingContext ctx, Selector scope) {
        String text = ctx.request().getParam("selector");
        Selector requested = null;
        if (text != null && !text.isBlank()) {
            try {
                requested = Selector.parse(text);
            } catch (SelectorSyntaxException e) {
                return;
            }
        }
        ctx.request().params().set("selector", ScopeGuard.narrow(requested, scope).toString());
    }

    private static void forbid(RoutingContext ctx, String detail) {
        ctx.put("muster.refusal", detail);
        Problem.of(403, "forbidden", "Forbidden", detail).send(ctx);
    }

    private void auditWhenDone(RoutingContext ctx, HttpMethod method, String path, String presented) {
        String action = method + " " + path;
        ctx.addBodyEndHandler(v -> {
            Principal principal = ctx.get(PRINCIPAL);
            int status = ctx.response().getStatusCode();
            String location = ctx.response().headers().get("Location");
            String target = targetOf(path, status, location);
            String detail = ctx.get("muster.refusal");
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
