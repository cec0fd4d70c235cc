package io.muster.controller.graphql;

import io.muster.controller.access.Principal;
import io.muster.controller.auth.ApiTokens;
import io.muster.controller.auth.HeldTokens;
import io.muster.controller.http.Callers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * GraphQL callers from API tokens: over HTTP the principal the auth handler attached to the
 * request; over a WebSocket the token of the {@code connection_init} payload
 * ({@code "authorization": "Bearer ..."}) or else of the upgrade request, held in
 * {@link HeldTokens} while the socket is open. Thread-safe, non-blocking.
 */
public final class TokenCallers implements GraphQlCallers {

    private final ApiTokens tokens;
    private final HeldTokens held;

    public TokenCallers(ApiTokens tokens, HeldTokens held) {
        this.tokens = tokens;
        this.held = held;
    }

    @Override
    public Principal of(RoutingContext ctx) {
        return Callers.principal(ctx).orElse(null);
    }

    @Override
    public Future<HeldTokens.Hold> ofConnection(JsonObject connectionParams, String upgradeAuthorization, Consumer<String> end) {
        String presented = connectionParams.getString("authorization", connectionParams.getString("Authorization", upgradeAuthorization));
        String token = bearer(presented);
        return tokens.verify(token).map(principal -> held.hold(token, principal, end));
    }

    /** "Bearer x" gives x; anything else present gives "" so that the token check refuses it. */
    private static String bearer(String value) {
        if (value == null) {
            return null;
        }
        String text = value.strip();
        return text.regionMatches(true, 0, "Bearer ", 0, 7) ? text.substring(7).strip() : "";
    }
}
