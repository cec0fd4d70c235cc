package io.muster.controller.store;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;

/**
 * One host as stored.
 *
 * @param state     "online" or "offline"
 * @param lifecycle "ready" unless a lifecycle operation (drain, decommission) changed it
 * @param facts     fact values as native JSON types: String, Integer/Long, Double, Boolean
 * @param vitals    the latest heartbeat vitals under the keys of {@link Vitals#asMap()}, empty
 *                  before the first heartbeat that carried any
 * @param inventory the full inventory (proto3 JSON mapping), null in listings or before the
 *                  first snapshot
 * @param digest    the stored inventory digest, null before the first snapshot
 */
public record HostRecord(
        String id,
        String hostname,
        String state,
        String lifecycle,
        Instant lastSeen,
        Instant firstSeen,
        String agentVersion,
        Map<String, String> labels,
        Map<String, Object> facts,
        Map<String, Object> vitals,
        JsonObject inventory,
        String digest) {

    public HostRecord {
        labels = Map.copyOf(labels);
        facts = Map.copyOf(facts);
        vitals = vitals == null ? Map.of() : Map.copyOf(vitals);
    }
}
