package io.muster.controller.http;

import io.muster.controller.access.Principal;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The authenticated caller of an HTTP request: the auth package's handler attaches it, routes and
 * GraphQL read it. Absent means unauthenticated, which every declared rule refuses.
 */
public final class Callers {

    private static final String PRINCIPAL = "muster.principal";
    /** Why a request was refused, for its audit event. */
    public static final String REFUSAL = "muster.refusal";

    private Callers() {
    }

    public static void attach(RoutingContext ctx, Principal principal) {
        ctx.put(PRINCIPAL, principal);
    }

    public static Optional<Principal> principal(RoutingContext ctx) {
        return Optional.ofNullable(ctx.get(PRINCIPAL));
    }

    /** "token:NAME (ID)" for host events and artifact records; "anonymous" without a caller. */
    public static String actor(RoutingContext ctx) {
        return principal(ctx).map(p -> "token:" + p.name() + " (" + p.tokenId() + ")").orElse("anonymous");
    }
}
