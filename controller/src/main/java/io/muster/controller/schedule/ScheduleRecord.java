package io.muster.controller.schedule;

import io.muster.controller.task.TaskCreator;
import io.muster.scheduler.schedule.Cron;
import java.time.Instant;
import java.util.UUID;

/**
 * One row of {@code schedules}.
 *
 * @param anchor    where {@code @every} periods start
 * @param notBefore ticks at or before it never fire (before creation, a resume or a new expression)
 */
public record ScheduleRecord(UUID id, ScheduleSpec spec, Instant anchor, Instant notBefore, Instant createdAt,
                             Instant updatedAt, String createdByToken, String createdBy) {

    public Cron cron() {
        return spec.parsedCron(anchor);
    }

    /** Who the tasks and rollouts it creates are created by: the schedule's creator. */
    public TaskCreator creator() {
        return createdByToken == null ? null : new TaskCreator(createdByToken,
                (createdBy == null ? "" : createdBy + " ") + "via schedule " + spec.name());
    }
}
