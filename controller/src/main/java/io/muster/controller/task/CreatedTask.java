package io.muster.controller.task;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A task and its runs, committed.
 *
 * @param header what every run of the task carries
 * @param runs   one per targeted host
 */
public record CreatedTask(TaskHeader header, OffsetDateTime createdAt, List<RunRef> runs) {
    public CreatedTask {
        runs = List.copyOf(runs);
    }

    public UUID taskId() {
        return header.taskId();
    }
}
