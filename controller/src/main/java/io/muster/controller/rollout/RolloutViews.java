package io.muster.controller.rollout;

import io.muster.controller.task.TaskKind;
import io.muster.scheduler.rollout.HostProgress;
import io.muster.scheduler.rollout.HostSlot;
import io.muster.scheduler.rollout.Snapshot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The API's JSON of a rollout (REST, GraphQL, FleetControl and SSE show the same object). */
public final class RolloutViews {

    private RolloutViews() {
    }

    /** The list form: what was asked and where it is, without per-host counts. */
    public static JsonObject summary(RolloutRecord r) {
        return new JsonObject()
                .put("id", r.id().toString())
                .put("state", r.state().wireName())
                .put("reason", r.reason())
                .put("kind", r.kind())
                .put("target", r.target())
                .put("total", r.total())
                .put("strategy", r.strategy())
                .put("dryRun", r.dryRun())
                .put("timeoutSeconds", r.timeoutSeconds())
                .put("createdAt", iso(r.createdAt()))
                .put("updatedAt", iso(r.updatedAt()))
                .put("finishedAt", iso(r.finishedAt()));
    }

    /** The full form: counts by host state, the waves, the failure budget and the steps' tasks. */
    public static JsonObject full(RolloutRecord r, Snapshot snapshot, List<JsonObject> steps) {
        // Secret spec values (exec env, registry headers, file content) are never shown to a reader.
        JsonObject json = summary(r).put("spec", TaskKind.redact(r.kind(), r.spec()))
                .put("healthCheck", TaskKind.redactRequest(r.healthCheck()))
                .put("onFailure", TaskKind.redactRequest(r.onFailure()));
        json.put("counts", counts(snapshot.hosts()));
        Map<Integer, JsonObject> waves = new TreeMap<>();
        for (HostSlot host : snapshot.hosts()) {
            JsonObject wave = waves.computeIfAbsent(host.wave(), w -> new JsonObject().put("wave", w).put("hosts", 0)
                    .put("counts", new JsonObject()));
            wave.put("hosts", wave.getInteger("hosts") + 1);
            JsonObject counts = wave.getJsonObject("counts");
            counts.put(host.progress().wireName(), counts.getInteger(host.progress().wireName(), 0) + 1);
        }
        JsonArray waveList = new JsonArray();
        for (JsonObject wave : waves.values()) {
            JsonObject counts = wave.getJsonObject("counts");
            int planned = counts.getInteger(HostProgress.PLANNED.wireName(), 0);
            int open = 0;
            for (HostProgress p : HostProgress.values()) {
                open += p.inFlight() ? counts.getInteger(p.wireName(), 0) : 0;
            }
            String state = planned == wave.getInteger("hosts") ? "pending" : open > 0 || planned > 0 ? "running" : "done";
            waveList.add(wave.put("state", state));
        }
        json.put("waves", waveList);
        Snapshot.Budget budget = snapshot.budget();
        json.put("failureBudget", new JsonObject().put("used", budget.used()).put("allowed", budget.allowed()));
        JsonArray taskIds = new JsonArray();
        steps.forEach(step -> taskIds.add(step.getString("taskId")));
        json.put("taskIds", taskIds).put("steps", new JsonArray(List.copyOf(steps)));
        return json;
    }

    private static JsonObject counts(List<HostSlot> hosts) {
        JsonObject counts = new JsonObject();
        for (HostProgress p : HostProgress.values()) {
            counts.put(p.wireName(), 0);
        }
        for (HostSlot host : hosts) {
            counts.put(host.progress().wireName(), counts.getInteger(host.progress().wireName()) + 1);
        }
        return counts;
    }

    private static String iso(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }
}
