package io.muster.client;

import io.vertx.core.json.JsonObject;

/** A token just created: its id and its secret, which the controller shows only this once. */
public record NewToken(String id, String token, JsonObject json) {

    static NewToken of(JsonObject json) {
        return new NewToken(json.getString("id"), json.getString("token"), json);
    }
}
