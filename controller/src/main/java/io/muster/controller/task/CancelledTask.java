package io.muster.controller.task;

import java.util.List;
import java.util.UUID;

/**
 * Result of cancelling a task.
 *
 * @param cancelledPending runs that had not started: now terminal ({@code cancelled}); their agents
 *                         still get a cancel in case the assignment is already on its way
 * @param running          runs executing on agents: they get a cancel and report {@code cancelled}
 */
public record CancelledTask(UUID taskId, List<RunRef> cancelledPending, List<RunRef> running) {
    public CancelledTask {
        cancelledPending = List.copyOf(cancelledPending);
        running = List.copyOf(running);
    }
}
