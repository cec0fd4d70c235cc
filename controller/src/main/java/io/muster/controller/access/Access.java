package io.muster.controller.access;

import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SqlFragment;
import io.vertx.core.Future;

/**
 * Applies an operation's {@link Rule} to a principal: the role first, then, for a scoped
 * principal, the operation's declared {@link Scoping}. Deny by default: no principal is refused,
 * and a scoped principal is refused by an operation declared {@link Scoping#UNSCOPED_ONLY} or by
 * one naming a host or task the request did not name. REST, GraphQL and gRPC all call this one
 * class; transports only authenticate and translate the {@link Refusal}.
 *
 * <p>Thread-safe and non-blocking: checks complete from database futures.
 */
public final class Access {

    private final ScopeGuard scopes;

    public Access(ScopeGuard scopes) {
        this.scopes = scopes;
    }

    /** Completes when the principal may run the operation on the subject; fails with a {@link Refusal} otherwise. */
    public Future<Void> check(Principal principal, Rule rule, Subject subject) {
        if (principal == null) {
            return refuse(Refusal.Kind.UNAUTHENTICATED, "a valid API token is required for " + rule.operation());
        }
        if (!principal.role().includes(rule.role())) {
            return refuse(Refusal.Kind.FORBIDDEN, "role " + principal.role().wireName() + " may not " + rule.operation()
                    + "; it needs " + rule.role().wireName());
        }
        // A download grant opens one path; every other operation of every interface refuses it.
        if (principal.grant() != null) {
            return principal.grant().equals(subject.path()) ? Future.succeededFuture()
                    : refuse(Refusal.Kind.FORBIDDEN, "this token is a download grant for " + principal.grant()
                            + " only; it cannot " + rule.operation());
        }
        if (!principal.scoped()) {
            return Future.succeededFuture();
        }
        Selector scope = principal.scope();
        return switch (rule.scoping()) {
            case UNSCOPED_ONLY -> refuse(Refusal.Kind.FORBIDDEN, "a token scoped to '" + scope + "' cannot "
                    + rule.operation() + ": it reaches beyond any scope");
            case NO_FLEET_DATA, HOST_QUERY, TASK_QUERY, WITHIN_PARENT, PER_OPERATION -> Future.succeededFuture();
            case HOST -> subject.hostId() == null
                    ? refuse(Refusal.Kind.HOST_NOT_FOUND, "no host was named")
                    : scopes.hostVisible(subject.hostId(), scope).compose(visible -> visible ? Future.succeededFuture()
                            : refuse(Refusal.Kind.HOST_NOT_FOUND, "no host with id '" + subject.hostId() + "'"));
            case TASK -> subject.taskId() == null
                    ? refuse(Refusal.Kind.TASK_NOT_FOUND, "no such task")
                    : scopes.taskVisible(subject.taskId(), scope, principal.tokenId()).compose(visible -> visible
                            ? Future.succeededFuture()
                            : refuse(Refusal.Kind.TASK_NOT_FOUND, "no task with id " + subject.taskId()));
            case TASK_TARGET -> subject.target() == null
                    ? refuse(Refusal.Kind.FORBIDDEN, rule.operation() + " named no target")
                    : scopes.outside(subject.target(), scope).compose(outside -> outside == 0 ? Future.succeededFuture()
                            : Future.failedFuture(new Refusal(Refusal.Kind.OUTSIDE_SCOPE, "the task reaches " + outside
                                    + " host(s) outside the token's scope '" + scope + "'", outside)));
        };
    }

    /** The selector a {@link Scoping#HOST_QUERY} operation lists: the requested one AND the principal's scope. */
    public static Selector hostSelector(Principal principal, Selector requested) {
        return ScopeGuard.narrow(requested, principal.scope());
    }

    /**
     * The condition on a task row aliased {@code t} that a {@link Scoping#TASK_QUERY} operation
     * adds for a scoped principal; null for an unscoped one (it sees every task).
     *
     * @param firstParam the number of the first placeholder the fragment may use
     */
    public static SqlFragment visibleTasks(Principal principal, int firstParam) {
        return principal.scoped() ? ScopeGuard.visibleTasks(principal.scope(), principal.tokenId(), firstParam) : null;
    }

    private static Future<Void> refuse(Refusal.Kind kind, String detail) {
        return Future.failedFuture(new Refusal(kind, detail));
    }
}
