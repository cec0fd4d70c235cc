package io.muster.controller.api;

import io.muster.controller.auth.Principal;
import io.vertx.ext.web.RoutingContext;

/** Who made a request, for host events and artifact records. */
final class Actors {

    static final String ANONYMOUS = "anonymous";

    private Actors() {
    }

    /** "token:NAME (ID)" when the auth handler admitted the request with a token, else "anonymous". */
    static String of(RoutingContext ctx) {
        for (Object value : ctx.data().values()) {
            if (value instanceof Principal principal) {
                return "token:" + principal.name() + " (" + principal.tokenId() + ")";
            }
        }
        return ANONYMOUS;
    }
}
