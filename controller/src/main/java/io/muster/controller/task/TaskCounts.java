package io.muster.controller.task;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/** Number of runs of a task in each state. Immutable. */
public final class TaskCounts {

    private final long[] counts = new long[RunStatus.values().length];

    public TaskCounts(Map<RunStatus, Long> byState) {
        byState.forEach((state, n) -> counts[state.ordinal()] = n);
    }

    /** From {@code {"pending": 3, "succeeded": 5}} as built by {@code jsonb_object_agg}; null = no runs. */
    static TaskCounts fromJson(JsonObject json) {
        Map<RunStatus, Long> byState = new EnumMap<>(RunStatus.class);
        if (json != null) {
            for (String name : json.fieldNames()) {
                RunStatus.fromDbName(name).ifPresent(state -> byState.put(state, json.getLong(name)));
            }
        }
        return new TaskCounts(byState);
    }

    public long get(RunStatus state) {
        return counts[state.ordinal()];
    }

    public long total() {
        return Arrays.stream(counts).sum();
    }

    /** Every state, zeros included, keyed by its API name. */
    public JsonObject toJson() {
        JsonObject json = new JsonObject();
        for (RunStatus state : RunStatus.values()) {
            json.put(state.dbName(), counts[state.ordinal()]);
        }
        return json;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TaskCounts && Arrays.equals(((TaskCounts) other).counts, counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return toJson().encode();
    }
}
