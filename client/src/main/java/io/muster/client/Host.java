package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;

/**
 * A host as the API serves it. {@link #json()} is the whole answer (with {@code inventory} and
 * {@code inventoryDigest} when it came from {@link Hosts#get}).
 *
 * @param connectedTo the member holding its session, null when none
 * @param facts       fact values as JSON types (String, Integer/Long, Double, Boolean)
 * @param vitals      the latest heartbeat's load.1m, load.5m, load.15m, cpu.busy, mem.used_bytes,
 *                    uptime.seconds; empty before the first
 */
public record Host(String id, String hostname, String state, String lifecycle, Instant lastSeen, Instant firstSeen,
                   String agentVersion, String connectedTo, Map<String, String> labels, Map<String, Object> facts,
                   Map<String, Object> vitals, JsonObject json) {

    static Host of(JsonObject json) {
        return new Host(json.getString("id"), json.getString("hostname"), json.getString("state"), json.getString("lifecycle"),
                Json.instant(json, "lastSeen"), Json.instant(json, "firstSeen"), json.getString("agentVersion"),
                json.getString("connectedTo"), Json.strings(json, "labels"), Json.map(json, "facts"), Json.map(json, "vitals"),
                json);
    }
}
