package io.muster.client;

import io.vertx.core.json.JsonObject;

/**
 * What a lifecycle action did: the host's lifecycle before ({@code from}) and now, and the task
 * and run that carry the action out when there is one (drain, reboot, upgrade); null fields were
 * not in the answer.
 */
public record LifecycleOutcome(String hostId, String action, String from, String lifecycle, String taskId, String runId,
                               JsonObject json) {

    static LifecycleOutcome of(JsonObject json) {
        return new LifecycleOutcome(json.getString("hostId"), json.getString("action"), json.getString("from"),
                json.getString("lifecycle"), json.getString("taskId"), json.getString("runId"), json);
    }
}
