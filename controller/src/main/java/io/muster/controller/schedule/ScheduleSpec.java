package io.muster.controller.schedule;

import io.muster.scheduler.schedule.Cron;
import io.muster.scheduler.schedule.Firing;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;

/**
 * What a person asked a schedule to do, validated (see {@link ScheduleRequestParser}).
 *
 * @param action  what each firing creates
 * @param request its body, as for {@code POST /api/v1/tasks} or {@code POST /api/v1/rollouts}
 */
public record ScheduleSpec(String name, String cron, ZoneId timezone, Action action, JsonObject request,
                           ConcurrencyPolicy concurrencyPolicy, Firing.CatchUp catchUp, boolean paused) {

    /** What a firing creates. */
    public enum Action {
        TASK, ROLLOUT;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What a tick does while an earlier firing's task or rollout is still going. */
    public enum ConcurrencyPolicy {
        /** The tick is skipped (recorded as such). */
        FORBID,
        /** The tick fires anyway. */
        ALLOW,
        /** The earlier task is cancelled (rollout aborted), then the tick fires. */
        REPLACE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The expression in its time zone, {@code @every} periods counted from {@code anchor}. */
    public Cron parsedCron(Instant anchor) {
        return Cron.parse(cron, timezone, anchor);
    }

    static String wireName(Firing.CatchUp catchUp) {
        return catchUp.name().toLowerCase(java.util.Locale.ROOT);
    }
}
