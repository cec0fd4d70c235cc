package io.muster.controller.task;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A validated request to run a task (see {@link TaskRequestParser}).
 *
 * @param target         the hosts
 * @param kind           executor kind
 * @param spec           kind-specific spec, shape already checked
 * @param timeoutSeconds wall-clock limit of each run
 * @param dryRun         report what would change, change nothing
 */
public record TaskRequest(TaskTarget target, TaskKind kind, JsonObject spec, int timeoutSeconds, boolean dryRun) {

    public TaskRequest {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(spec, "spec");
        if (timeoutSeconds <= 0) {
            throw new IllegalArgumentException("timeoutSeconds must be positive");
        }
    }
}
