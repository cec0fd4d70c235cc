package io.muster.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code /api/v1/tokens} (admin): create, list, revoke API tokens. */
public final class Tokens {

    private final MusterClient client;

    Tokens(MusterClient client) {
        this.client = client;
    }

    /**
     * @param role     viewer, operator or admin
     * @param scope    a selector the token is limited to; null for the whole fleet
     * @param lifetime how long the token is valid, at most ten years; null for the controller's
     *     default (90 days). Every token expires: there is no lifetime that never ends
     */
    public NewToken create(String name, String role, String scope, Duration lifetime) {
        JsonObject body = new JsonObject().put("name", name).put("role", role).put("scope", scope)
                .put("expiresInSeconds", lifetime == null ? null : lifetime.toSeconds());
        return NewToken.of(client.send("POST", "/api/v1/tokens", body));
    }

    public List<Token> list() {
        JsonArray items = client.get("/api/v1/tokens", new Query()).getJsonArray("items", new JsonArray());
        List<Token> tokens = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            tokens.add(Token.of(items.getJsonObject(i)));
        }
        return tokens;
    }

    /** Revokes the token; answers the controller's confirmation. */
    public JsonObject revoke(String id) {
        return client.send("DELETE", "/api/v1/tokens/" + Query.encode(id), null);
    }
}
