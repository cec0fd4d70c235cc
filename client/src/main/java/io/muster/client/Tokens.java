package io.muster.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/tokens} (admin): create, list, revoke API tokens; and agent enrollment tokens. */
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

    /**
     * An agent enrollment token ({@code POST /api/v1/enrollment-tokens}): what {@code muster install}
     * or a package hands new hosts so they can enroll. Unlike an API token it cannot be listed or
     * revoked; it is spent after {@code maxUses} enrollments or at its expiry.
     *
     * @param lifetime how long it can be used (whole seconds, at least one)
     * @param maxUses  how many hosts may enroll with it (at least one)
     * @param labels   labels stamped on every host that enrolls with it; empty for none
     */
    public NewToken createEnrollment(Duration lifetime, int maxUses, Map<String, String> labels) {
        JsonObject body = new JsonObject().put("expiresInSeconds", lifetime.toSeconds()).put("maxUses", maxUses);
        if (!labels.isEmpty()) {
            JsonObject stamped = new JsonObject();
            labels.forEach(stamped::put);
            body.put("labels", stamped);
        }
        return NewToken.of(client.send("POST", "/api/v1/enrollment-tokens", body));
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
