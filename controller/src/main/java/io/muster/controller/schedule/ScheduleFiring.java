package io.muster.controller.schedule;

import java.time.Instant;
import java.util.UUID;

/**
 * One handled tick of a schedule.
 *
 * @param outcome   fired, skipped (concurrencyPolicy forbid) or failed (nothing could be created)
 * @param taskId    the task it created (or creates), for a task schedule
 * @param rolloutId the rollout it created (or creates), for a rollout schedule
 */
public record ScheduleFiring(UUID scheduleId, Instant tick, String outcome, UUID taskId, UUID rolloutId, String reason,
                             String firedBy, Instant firedAt) {
}
