package io.muster.controller.schedule;

import io.muster.controller.rollout.InvalidRolloutException;
import io.muster.controller.rollout.RolloutRequestParser;
import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.TaskRequestParser;
import io.muster.scheduler.schedule.Firing;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;

/**
 * Turns the body of {@code POST /api/v1/schedules} ({@code name, cron, timezone, task | rollout,
 * concurrencyPolicy, catchUp, paused}) into a {@link ScheduleSpec}, or throws
 * {@link InvalidScheduleException} naming the field. The task or rollout is validated as its own
 * POST would be (its target is resolved only when a tick fires). Pure; thread-safe.
 */
public final class ScheduleRequestParser {

    static final Set<String> FIELDS = Set.of("name", "cron", "timezone", "task", "rollout", "concurrencyPolicy",
            "catchUp", "paused");
    /** What a PATCH may change (pause and resume have their own routes). */
    static final Set<String> CHANGEABLE = Set.of("name", "cron", "timezone", "task", "rollout", "concurrencyPolicy",
            "catchUp");
    static final int MAX_NAME = 200;

    private final TaskRequestParser tasks = new TaskRequestParser();
    private final RolloutRequestParser rollouts = new RolloutRequestParser();

    /** @param anchor where an {@code @every} expression's periods would start (to validate it) */
    public ScheduleSpec parse(Buffer body, Instant anchor) {
        return parse(object(body), anchor);
    }

    /** The body as a JSON object, or an exception naming {@code body}. */
    static JsonObject object(Buffer body) {
        Object value;
        try {
            value = body == null || body.length() == 0 ? null : body.toJsonValue();
        } catch (DecodeException e) {
            throw new InvalidScheduleException("body", "the request body is not valid JSON");
        }
        if (!(value instanceof JsonObject json)) {
            throw new InvalidScheduleException("body", "the request body must be a JSON object");
        }
        return json;
    }

    public ScheduleSpec parse(JsonObject json, Instant anchor) {
        for (String field : json.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw new InvalidScheduleException(field, "unknown field '" + field + "'; expected one of "
                        + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        if (!(json.getValue("name") instanceof String name) || name.isBlank() || name.length() > MAX_NAME
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidScheduleException("name", "'name' is required: 1 to " + MAX_NAME
                    + " printable characters, unique among schedules");
        }
        ZoneId zone = zone(json.getValue("timezone", "UTC"));
        if (!(json.getValue("cron") instanceof String cron)) {
            throw new InvalidScheduleException("cron", "'cron' is required: 5 cron fields (e.g. \"*/30 * * * *\") "
                    + "or \"@every <n>s|m|h|d\"");
        }
        try {
            io.muster.scheduler.schedule.Cron.parse(cron, zone, anchor);
        } catch (IllegalArgumentException e) {
            throw new InvalidScheduleException("cron", e.getMessage());
        }
        boolean task = json.containsKey("task");
        if (task == json.containsKey("rollout")) {
            throw new InvalidScheduleException(task ? "rollout" : "task", "give exactly one of 'task' (the body of "
                    + "POST /api/v1/tasks) or 'rollout' (the body of POST /api/v1/rollouts)");
        }
        String actionField = task ? "task" : "rollout";
        if (!(json.getValue(actionField) instanceof JsonObject request)) {
            throw new InvalidScheduleException(actionField, "'" + actionField + "' must be an object");
        }
        if (task) {
            try {
                tasks.parse(request);
            } catch (InvalidTaskRequestException e) {
                throw new InvalidScheduleException("task." + RolloutRequestParser.fieldOf(e.getMessage()), "task: " + e.getMessage());
            }
        } else {
            try {
                rollouts.parse(request);
            } catch (InvalidRolloutException e) {
                throw new InvalidScheduleException("rollout." + e.field(), "rollout: " + e.getMessage());
            }
        }
        ScheduleSpec.ConcurrencyPolicy policy = switch (String.valueOf(json.getValue("concurrencyPolicy", "forbid"))) {
            case "forbid" -> ScheduleSpec.ConcurrencyPolicy.FORBID;
            case "allow" -> ScheduleSpec.ConcurrencyPolicy.ALLOW;
            case "replace" -> ScheduleSpec.ConcurrencyPolicy.REPLACE;
            default -> throw new InvalidScheduleException("concurrencyPolicy",
                    "'concurrencyPolicy' must be \"forbid\", \"allow\" or \"replace\"");
        };
        Firing.CatchUp catchUp = switch (String.valueOf(json.getValue("catchUp", "none"))) {
            case "none" -> Firing.CatchUp.NONE;
            case "last" -> Firing.CatchUp.LAST;
            default -> throw new InvalidScheduleException("catchUp", "'catchUp' must be \"none\" or \"last\"");
        };
        if (!(json.getValue("paused", false) instanceof Boolean paused)) {
            throw new InvalidScheduleException("paused", "'paused' must be true or false");
        }
        return new ScheduleSpec(name.strip(), cron.strip(), zone, task ? ScheduleSpec.Action.TASK : ScheduleSpec.Action.ROLLOUT,
                request.copy(), policy, catchUp, paused);
    }

    /**
     * The spec after a PATCH: {@code patch}'s fields replace the current ones ({@code task}
     * replaces {@code rollout} and the other way round).
     */
    public ScheduleSpec change(ScheduleSpec current, JsonObject patch, Instant anchor) {
        for (String field : patch.fieldNames()) {
            if (!CHANGEABLE.contains(field)) {
                throw new InvalidScheduleException(field, FIELDS.contains(field) ? "'" + field + "' cannot be patched; use "
                        + "POST /api/v1/schedules/{id}/pause or /resume" : "unknown field '" + field + "'; expected one of "
                        + String.join(", ", CHANGEABLE.stream().sorted().toList()));
            }
        }
        JsonObject merged = ScheduleViews.specJson(current).put("paused", current.paused());
        if (patch.containsKey("task") || patch.containsKey("rollout")) {
            merged.remove("task");
            merged.remove("rollout");
        }
        return parse(merged.mergeIn(patch), anchor);
    }

    private static ZoneId zone(Object value) {
        if (!(value instanceof String text) || text.isBlank()) {
            throw new InvalidScheduleException("timezone", "'timezone' must be a time zone id such as \"UTC\" or \"Europe/London\"");
        }
        try {
            return ZoneId.of(text.strip());
        } catch (DateTimeException e) {
            throw new InvalidScheduleException("timezone", "'" + text + "' is not a time zone id (e.g. \"UTC\", \"Europe/London\")");
        }
    }
}
