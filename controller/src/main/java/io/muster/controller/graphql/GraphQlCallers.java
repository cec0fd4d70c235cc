package io.muster.controller.graphql;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Finds the caller of a GraphQL request: for HTTP from the request the auth handler already
 * checked, for a WebSocket from the {@code connection_init} payload (browsers cannot set headers
 * on a WebSocket, so the token travels as {@code {"authorization": "Bearer ..."}} there; the
 * upgrade request's own header is honoured too).
 *
 * <p>Threading: called on Vert.x event loops; must not block.
 */
public interface GraphQlCallers {

    /** The caller of an HTTP request that passed the API's auth handler. */
    GraphQlCaller of(RoutingContext ctx);

    /**
     * The caller of a WebSocket connection; fails (the connection is refused) when the payload's
     * token is missing or invalid.
     *
     * @param connectionParams the connection_init payload, may be empty
     * @param upgradeAuthorization the Authorization header of the upgrade request, null when absent
     */
    Future<GraphQlCaller> ofConnection(JsonObject connectionParams, String upgradeAuthorization);

    /** Every caller unrestricted: for an API that runs without tokens. */
    static GraphQlCallers open() {
        return new GraphQlCallers() {
            @Override
            public GraphQlCaller of(RoutingContext ctx) {
                return GraphQlCaller.unrestricted();
            }

            @Override
            public Future<GraphQlCaller> ofConnection(JsonObject connectionParams, String upgradeAuthorization) {
                return Future.succeededFuture(GraphQlCaller.unrestricted());
            }
        };
    }
}
