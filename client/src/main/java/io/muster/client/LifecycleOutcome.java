package io.muster.client;

import io.vertx.core.json.JsonObject;

/**
 * What a lifecycle action did: the host's lifecycle now, and the task or operation that carries
 * the action out when there is one (drain, reboot, upgrade); null fields were not in the answer.
 */
public record LifecycleOutcome(String action, String lifecycle, String state, String taskId, String operationId,
                               JsonObject json) {

    static LifecycleOutcome of(JsonObject json) {
        return new LifecycleOutcome(json.getString("action"), json.getString("lifecycle"), json.getString("state"),
                json.getString("taskId"), json.getString("operationId"), json);
    }
}
