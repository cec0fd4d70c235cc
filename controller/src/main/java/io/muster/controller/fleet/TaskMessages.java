package io.muster.controller.fleet;

import io.muster.controller.task.RunStatus;
import io.muster.controller.task.TaskCounts;
import io.muster.proto.v1.TaskProgress;
import java.util.UUID;

/** Task progress as FleetControl messages. Pure; thread-safe. */
final class TaskMessages {

    private TaskMessages() {
    }

    static TaskProgress progress(UUID taskId, io.muster.controller.task.TaskProgress progress) {
        TaskCounts counts = progress.counts();
        return TaskProgress.newBuilder()
                .setTaskId(taskId.toString())
                .setState(progress.state().apiName())
                .setTotal((int) counts.total())
                .setPending((int) counts.get(RunStatus.PENDING))
                .setRunning((int) counts.get(RunStatus.RUNNING))
                .setSucceeded((int) counts.get(RunStatus.SUCCEEDED))
                .setFailed((int) counts.get(RunStatus.FAILED))
                .setTimedOut((int) counts.get(RunStatus.TIMED_OUT))
                .setCancelled((int) counts.get(RunStatus.CANCELLED))
                .setHostLost((int) counts.get(RunStatus.HOST_LOST))
                .setDone(progress.state().terminal())
                .build();
    }
}
