package io.muster.controller.rollout;

import io.muster.controller.task.TaskKind;
import io.vertx.core.json.JsonObject;

/**
 * A side task of a rollout (health check or revert): what to run, not where.
 *
 * @param minHealthySeconds for a health check: seconds after a host's run succeeded before the
 *                          check runs; 0 otherwise
 */
public record RolloutAction(TaskKind kind, JsonObject spec, int timeoutSeconds, int minHealthySeconds) {

    public JsonObject toJson() {
        JsonObject json = new JsonObject().put("kind", kind.wireName()).put("spec", spec)
                .put("timeoutSeconds", timeoutSeconds);
        return minHealthySeconds > 0 ? json.put("minHealthySeconds", minHealthySeconds) : json;
    }
}
