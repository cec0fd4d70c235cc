package io.muster.controller.lifecycle;

import java.util.UUID;

/**
 * What {@code POST /hosts/{id}/lifecycle} answers: the host's lifecycle now and, when the action
 * runs work on the agent, the task and run carrying it (follow them under /api/v1/tasks).
 */
public record LifecycleOutcome(String hostId, LifecycleAction action, Lifecycle from, Lifecycle lifecycle,
                               UUID taskId, UUID runId) {

    public boolean runsWork() {
        return taskId != null;
    }
}
