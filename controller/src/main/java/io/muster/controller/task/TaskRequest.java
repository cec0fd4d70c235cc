package io.muster.controller.task;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A validated request to run a task (see {@link TaskRequestParser}).
 *
 * @param target         the hosts
 * @param kind           executor kind
 * @param spec           kind-specific spec, shape already checked; stored and shown to task readers
 * @param timeoutSeconds wall-clock limit of each run
 * @param dryRun         report what would change, change nothing
 * @param secrets        fields the agents get merged into the spec of their assignment but that
 *                       task readers never see (e.g. a download grant); empty for most tasks
 * @param creator        the API token that asked for it; null for the controller's own tasks
 */
public record TaskRequest(TaskTarget target, TaskKind kind, JsonObject spec, int timeoutSeconds, boolean dryRun,
                          JsonObject secrets, TaskCreator creator) {

    public TaskRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(spec, "spec");
        secrets = secrets == null ? new JsonObject() : secrets;
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("timeoutSeconds must be positive");
        }
    }

    public TaskRequest(TaskTarget target, TaskKind kind, JsonObject spec, int timeoutSeconds, boolean dryRun) {
        this(target, kind, spec, timeoutSeconds, dryRun, null, null);
    }

    /** The same request, created by {@code creator} (null: the controller itself). */
    public TaskRequest createdBy(TaskCreator creator) {
        return new TaskRequest(target, kind, spec, timeoutSeconds, dryRun, secrets, creator);
    }

    /** The same request with {@code secrets} delivered to agents but never stored in the readable spec. */
    public TaskRequest withSecrets(JsonObject secrets) {
        return new TaskRequest(target, kind, spec, timeoutSeconds, dryRun, secrets, creator);
    }
}
