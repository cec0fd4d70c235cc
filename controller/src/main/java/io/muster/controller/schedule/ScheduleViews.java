package io.muster.controller.schedule;

import io.muster.controller.task.TaskKind;
import io.muster.scheduler.schedule.Cron;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** The API's JSON of a schedule (REST, GraphQL and FleetControl show the same object). */
public final class ScheduleViews {

    /** How many coming ticks a schedule shows. */
    static final int NEXT_FIRINGS = 5;

    private ScheduleViews() {
    }

    /** What was asked, as a POST body would say it. */
    static JsonObject specJson(ScheduleSpec spec) {
        return new JsonObject()
                .put("name", spec.name())
                .put("cron", spec.cron())
                .put("timezone", spec.timezone().getId())
                .put(spec.action().wireName(), TaskKind.redactRequest(spec.request()))
                .put("concurrencyPolicy", spec.concurrencyPolicy().wireName())
                .put("catchUp", ScheduleSpec.wireName(spec.catchUp()));
    }

    /** The list form: the schedule and its next ticks (none while paused). */
    public static JsonObject summary(ScheduleRecord r, Instant now) {
        JsonArray next = new JsonArray();
        if (!r.spec().paused()) {
            Cron cron = r.cron();
            cron.next(now.isAfter(r.notBefore()) ? now : r.notBefore(), NEXT_FIRINGS).forEach(t -> next.add(t.toString()));
        }
        return new JsonObject().put("id", r.id().toString())
                .mergeIn(specJson(r.spec()))
                .put("paused", r.spec().paused())
                .put("nextFirings", next)
                .put("createdAt", r.createdAt().toString())
                .put("updatedAt", r.updatedAt().toString())
                .put("createdBy", r.createdBy());
    }

    /** The full form: the summary and the latest firings, newest first. */
    public static JsonObject full(ScheduleRecord r, Instant now, List<ScheduleFiring> firings) {
        JsonArray history = new JsonArray();
        firings.forEach(f -> history.add(firing(f)));
        return summary(r, now).put("firings", history);
    }

    public static JsonObject firing(ScheduleFiring f) {
        return new JsonObject()
                .put("tick", f.tick().toString())
                .put("outcome", f.outcome())
                .put("taskId", f.taskId() == null ? null : f.taskId().toString())
                .put("rolloutId", f.rolloutId() == null ? null : f.rolloutId().toString())
                .put("reason", f.reason())
                .put("firedBy", f.firedBy())
                .put("firedAt", f.firedAt().toString());
    }
}
