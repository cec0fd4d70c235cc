package io.muster.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A host's vitals downsampled per bucket, oldest first.
 *
 * @param resolution the bucket length (5 minutes unless the cluster says otherwise); null when unreadable
 */
public record VitalsSeries(String host, Duration resolution, List<Point> points) {

    /** One bucket: how many heartbeats, and the min/avg/max of each vital over them. */
    public record Point(Instant at, int samples, Range load1m, Range cpuBusy, Range memUsedBytes, long uptimeSeconds) {
    }

    public record Range(double min, double avg, double max) {

        static Range of(JsonObject json) {
            return json == null ? new Range(0, 0, 0)
                    : new Range(json.getDouble("min", 0.0), json.getDouble("avg", 0.0), json.getDouble("max", 0.0));
        }
    }

    static VitalsSeries of(JsonObject json) {
        List<Point> points = new ArrayList<>();
        JsonArray items = json.getJsonArray("items", new JsonArray());
        for (int i = 0; i < items.size(); i++) {
            JsonObject p = items.getJsonObject(i);
            points.add(new Point(Json.instant(p, "at"), p.getInteger("samples", 0), Range.of(p.getJsonObject("load1m")),
                    Range.of(p.getJsonObject("cpuBusy")), Range.of(p.getJsonObject("memUsedBytes")), Json.number(p, "uptimeSeconds")));
        }
        return new VitalsSeries(json.getString("host"), Json.duration(json, "resolution"), List.copyOf(points));
    }
}
