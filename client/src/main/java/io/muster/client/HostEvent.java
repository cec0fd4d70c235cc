package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One entry of a host's event history (connects, lifecycle steps, drift...). */
public record HostEvent(long id, String kind, String message, String actor, Instant at, JsonObject json) {

    static HostEvent of(JsonObject json) {
        return new HostEvent(Json.number(json, "id"), json.getString("kind"), json.getString("message"),
                json.getString("actor"), Json.instant(json, "at"), json);
    }
}
