package io.muster.controller.task;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A task with the counts of its runs, as the API shows it. */
public record TaskView(UUID id, String kind, JsonObject target, JsonObject spec, int timeoutSeconds, boolean dryRun,
                       int total, OffsetDateTime createdAt, OffsetDateTime cancelledAt, TaskCounts counts) {

    public TaskState state() {
        return TaskState.of(counts, cancelledAt != null);
    }
}
