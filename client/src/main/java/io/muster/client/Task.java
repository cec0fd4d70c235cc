package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task: its state and how many of its runs are in each state. The answer to a submission
 * carries only {@code id} and {@code total}; {@link Tasks#get} fills the rest.
 *
 * @param counts runs per state (pending, running, succeeded, failed, timed_out, cancelled, host_lost)
 */
public record Task(String id, String kind, String state, long total, Map<String, Long> counts, Instant createdAt,
                   JsonObject json) {

    static Task of(JsonObject json) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Json.map(json, "counts").forEach((state, n) -> counts.put(state, n instanceof Number number ? number.longValue() : 0L));
        return new Task(json.getString("id"), json.getString("kind"), json.getString("state"), Json.number(json, "total"),
                counts, Json.instant(json, "createdAt"), json);
    }
}
