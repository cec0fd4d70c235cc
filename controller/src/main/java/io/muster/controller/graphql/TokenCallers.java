package io.muster.controller.graphql;

import io.muster.controller.auth.ApiTokens;
import io.muster.controller.auth.AuthHandler;
import io.muster.controller.auth.Principal;
import io.muster.controller.auth.ScopeGuard;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * GraphQL callers from API tokens, with the REST API's rules: over HTTP the principal the
 * {@link AuthHandler} attached to the request; over a WebSocket the token of the
 * {@code connection_init} payload ({@code "authorization": "Bearer ..."}) or else of the upgrade
 * request. A scoped token sees the hosts of its scope and the tasks {@link ScopeGuard} lets it
 * see. Thread-safe, non-blocking.
 */
public final class TokenCallers implements GraphQlCallers {

    private final ApiTokens tokens;
    private final ScopeGuard scopes;

    public TokenCallers(ApiTokens tokens, ScopeGuard scopes) {
        this.tokens = tokens;
        this.scopes = scopes;
    }

    @Override
    public GraphQlCaller of(RoutingContext ctx) {
        // The auth handler refuses a request without a valid token before GraphQL runs.
        return AuthHandler.principal(ctx).map(this::caller).orElseThrow(() ->
                new IllegalStateException("GraphQL reached without a verified token: the auth handler must guard /graphql"));
    }

    @Override
    public Future<GraphQlCaller> ofConnection(JsonObject connectionParams, String upgradeAuthorization) {
        String presented = connectionParams.getString("authorization", connectionParams.getString("Authorization", upgradeAuthorization));
        return tokens.verify(bearer(presented)).map(this::caller);
    }

    /** "Bearer x" gives x; anything else present gives "" so that the token check refuses it. */
    private static String bearer(String value) {
        if (value == null) {
            return null;
        }
        String text = value.strip();
        return text.regionMatches(true, 0, "Bearer ", 0, 7) ? text.substring(7).strip() : "";
    }

    private GraphQlCaller caller(Principal principal) {
        return new GraphQlCaller() {
            @Override
            public Selector scope() {
                return principal.scope();
            }

            @Override
            public Future<Boolean> maySeeTask(UUID taskId) {
                if (!principal.scoped()) {
                    return Future.succeededFuture(true);
                }
                return scopes.taskVisible(taskId, principal.scope(), principal.tokenId());
            }
        };
    }
}
