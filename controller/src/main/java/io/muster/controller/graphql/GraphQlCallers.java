package io.muster.controller.graphql;

import io.muster.controller.access.Principal;
import io.muster.controller.auth.HeldTokens;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * Finds the caller of a GraphQL request: for HTTP the principal the auth handler attached, for a
 * WebSocket from the {@code connection_init} payload (browsers cannot set headers on a WebSocket,
 * so the token travels as {@code {"authorization": "Bearer ..."}} there; the upgrade request's
 * own header is honoured too).
 *
 * <p>Threading: called on Vert.x event loops; must not block.
 */
public interface GraphQlCallers {

    /** The caller of an HTTP request; null when it was not authenticated (every field then refuses). */
    Principal of(RoutingContext ctx);

    /**
     * The caller of a WebSocket connection, held for as long as the socket is open; fails (the
     * connection is refused) when the payload's token is missing or invalid.
     *
     * @param connectionParams the connection_init payload, may be empty
     * @param upgradeAuthorization the Authorization header of the upgrade request, null when absent
     * @param end closes the socket when its token is revoked or expires, with the reason
     */
    Future<HeldTokens.Hold> ofConnection(JsonObject connectionParams, String upgradeAuthorization, Consumer<String> end);
}
