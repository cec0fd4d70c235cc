package io.muster.controller.http;

import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.access.Refusal;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.access.Subject;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The only way to add an HTTP route: each is declared with its {@link Rule} (or explicitly as
 * open, needing no token), and the rule is applied by {@link Access} before the handler runs.
 * Routes match by Vert.x path patterns, so {@code /api/v1/hosts/} is the listing route with the
 * listing's rule, not a path no rule knows. A rule naming one host or task reads it from the path
 * parameter {@code :id}; a {@link Scoping#TASK_TARGET} rule needs a reader of its target.
 *
 * <p>Declare routes before the server listens. Handlers run on the event loop.
 */
public final class Routes {

    /** One declared route: the rule is null for an open route. */
    public record Declared(HttpMethod method, String path, Rule rule) {
    }

    /** Reads the subject of a request before the handler runs; throw a {@link ProblemException} for bad input. */
    @FunctionalInterface
    public interface SubjectReader extends Function<RoutingContext, Subject> {
    }

    private final Router router;
    private final Access access;
    private final List<Declared> declared = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> openPaths = ConcurrentHashMap.newKeySet();

    public Routes(Router router, Access access) {
        this.router = router;
        this.access = access;
    }

    public Routes get(String path, Rule rule, Handler<RoutingContext> handler) {
        return add(HttpMethod.GET, path, rule, null, handler);
    }

    public Routes post(String path, Rule rule, Handler<RoutingContext> handler) {
        return add(HttpMethod.POST, path, rule, null, handler);
    }

    public Routes put(String path, Rule rule, Handler<RoutingContext> handler) {
        return add(HttpMethod.PUT, path, rule, null, handler);
    }

    public Routes patch(String path, Rule rule, Handler<RoutingContext> handler) {
        return add(HttpMethod.PATCH, path, rule, null, handler);
    }

    public Routes delete(String path, Rule rule, Handler<RoutingContext> handler) {
        return add(HttpMethod.DELETE, path, rule, null, handler);
    }

    /** A POST whose subject is in its body (a task's target). */
    public Routes post(String path, Rule rule, SubjectReader subject, Handler<RoutingContext> handler) {
        return add(HttpMethod.POST, path, rule, subject, handler);
    }

    /** Every method on one path (GraphQL), under one rule. */
    public Routes any(String path, Rule rule, Handler<RoutingContext> first, Handler<RoutingContext> second) {
        check(path, rule, null);
        declared.add(new Declared(null, path, rule));
        router.route(path).handler(guard(rule, null)).handler(first).handler(second);
        return this;
    }

    /** A GET that needs no token (health, metrics, the OpenAPI document, the CA certificate). */
    public Routes open(String path, Handler<RoutingContext> handler) {
        declared.add(new Declared(HttpMethod.GET, path, null));
        openPaths.add(path);
        router.get(path).handler(handler);
        return this;
    }

    /** Whether a path was declared open (the auth handler lets it pass without a token). */
    public boolean isOpen(String path) {
        return openPaths.contains(path);
    }

    public List<Declared> declared() {
        synchronized (declared) {
            return List.copyOf(declared);
        }
    }

    private Routes add(HttpMethod method, String path, Rule rule, SubjectReader subject, Handler<RoutingContext> handler) {
        check(path, rule, subject);
        declared.add(new Declared(method, path, rule));
        router.route(method, path).handler(guard(rule, subject)).handler(handler);
        return this;
    }

    private static void check(String path, Rule rule, SubjectReader subject) {
        if (rule == null) {
            throw new IllegalArgumentException(path + " needs a rule (or must be declared open)");
        }
        if (rule.namesOne() && !path.contains("/:id")) {
            throw new IllegalArgumentException(path + ": rule " + rule + " names one host or task, so the path needs :id");
        }
        if (rule.scoping() == Scoping.TASK_TARGET && subject == null) {
            throw new IllegalArgumentException(path + ": rule " + rule + " needs a reader of the task's target");
        }
    }

    private Handler<RoutingContext> guard(Rule rule, SubjectReader reader) {
        return ctx -> {
            Principal principal = Callers.principal(ctx).orElse(null);
            Subject subject;
            try {
                subject = switch (rule.scoping()) {
                    case HOST -> Subject.host(ctx.pathParam("id"));
                    case TASK -> Subject.task(ctx.pathParam("id"));
                    case TASK_TARGET -> principal != null && principal.scoped() ? reader.apply(ctx) : Subject.none();
                    case NO_FLEET_DATA -> Subject.path(ctx.normalizedPath());
                    default -> Subject.none();
                };
            } catch (ProblemException e) {
                e.problem().send(ctx);
                return;
            }
            access.check(principal, rule, subject).onComplete(ar -> {
                if (ar.succeeded()) {
                    ctx.next();
                } else if (ar.cause() instanceof Refusal refusal) {
                    ctx.put(Callers.REFUSAL, refusal.getMessage());
                    problem(refusal).send(ctx);
                } else {
                    ctx.fail(ar.cause());
                }
            });
        };
    }

    /** The HTTP answer to a refusal. */
    public static Problem problem(Refusal refusal) {
        return switch (refusal.kind()) {
            case UNAUTHENTICATED -> Problem.of(401, "unauthenticated", "Unauthorized", refusal.getMessage());
            case FORBIDDEN -> Problem.of(403, "forbidden", "Forbidden", refusal.getMessage());
            case HOST_NOT_FOUND -> Problem.notFound("host-not-found", refusal.getMessage());
            case TASK_NOT_FOUND -> Problem.notFound("task-not-found", refusal.getMessage());
            case OUTSIDE_SCOPE -> Problem.of(403, "outside-scope", "Forbidden", refusal.getMessage())
                    .with("count", refusal.count());
        };
    }
}
