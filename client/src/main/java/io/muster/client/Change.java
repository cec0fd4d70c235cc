package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One applied inventory change: a fact of a host went from {@code oldValue} to {@code newValue}.
 *
 * @param oldValue null when the fact appeared
 * @param newValue null when it went away
 */
public record Change(String host, String key, Object oldValue, Object newValue, Instant at, JsonObject json) {

    static Change of(JsonObject json) {
        return new Change(json.getString("host"), json.getString("key"), json.getValue("old"), json.getValue("new"),
                Json.instant(json, "at"), json);
    }
}
