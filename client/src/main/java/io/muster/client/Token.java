package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * An API token as listed (never its secret).
 *
 * @param scope the selector it is limited to, null for the whole fleet
 */
public record Token(String id, String name, String role, String scope, Instant expiresAt, Instant revokedAt, JsonObject json) {

    static Token of(JsonObject json) {
        return new Token(json.getString("id"), json.getString("name"), json.getString("role"), json.getString("scope"),
                Json.instant(json, "expiresAt"), Json.instant(json, "revokedAt"), json);
    }
}
