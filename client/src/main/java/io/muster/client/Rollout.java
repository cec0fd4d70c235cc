package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A rollout: its state and run counts; {@link #json()} has its waves, failure budget, steps and
 * tasks. The answer to {@link Rollouts#start} carries only {@code id} and {@code total}, and
 * {@link Rollouts#list} gives summaries: no counts (empty here), waves, steps or tasks.
 */
public record Rollout(String id, String state, String reason, long total, Map<String, Long> counts, JsonObject json) {

    static Rollout of(JsonObject json) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Json.map(json, "counts").forEach((state, n) -> counts.put(state, n instanceof Number number ? number.longValue() : 0L));
        return new Rollout(json.getString("id"), json.getString("state"), json.getString("reason"), Json.number(json, "total"),
                counts, json);
    }
}
