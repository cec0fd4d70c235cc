package io.muster.controller.task;

import java.util.Objects;
import java.util.UUID;

/**
 * The part of a task every one of its runs carries to the agent. Never sent between cluster
 * members: a member that pushes runs another member named reads it from PostgreSQL.
 *
 * @param specJson    the spec as compact JSON text (cheap to ship; turned into a protobuf Struct once
 *                    per member that delivers it)
 * @param secretsJson fields merged into the spec only in the assignment an agent receives (never in
 *                    what task readers see); "{}" when there are none
 */
public record TaskHeader(UUID taskId, String kind, String specJson, int timeoutSeconds, boolean dryRun,
                         String secretsJson) {

    public TaskHeader {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(specJson, "specJson");
        secretsJson = secretsJson == null ? "{}" : secretsJson;
    }

    public TaskHeader(UUID taskId, String kind, String specJson, int timeoutSeconds, boolean dryRun) {
        this(taskId, kind, specJson, timeoutSeconds, dryRun, null);
    }

    /** Never prints the secrets. */
    @Override
    public String toString() {
        return "TaskHeader[taskId=" + taskId + ", kind=" + kind + ", timeoutSeconds=" + timeoutSeconds
                + ", dryRun=" + dryRun + "]";
    }
}
