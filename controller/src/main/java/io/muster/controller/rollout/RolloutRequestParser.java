package io.muster.controller.rollout;

import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskRequestParser;
import io.muster.scheduler.rollout.Amount;
import io.muster.scheduler.rollout.Canary;
import io.muster.scheduler.rollout.Order;
import io.muster.scheduler.rollout.Strategy;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns the body of {@code POST /api/v1/rollouts} (the task fields plus {@code strategy},
 * {@code healthCheck}, {@code onFailure}) into a {@link RolloutRequest}, or throws
 * {@link InvalidRolloutException} naming the field. Pure apart from choosing a seed for
 * {@code order: "random"} without one (the chosen seed is recorded and shown). Thread-safe.
 */
public final class RolloutRequestParser {

    private static final Set<String> TASK_FIELDS = Set.of("target", "kind", "spec", "timeoutSeconds", "dryRun");
    private static final Set<String> FIELDS = Set.of("target", "kind", "spec", "timeoutSeconds", "dryRun", "strategy",
            "healthCheck", "onFailure");
    static final Set<String> STRATEGY_FIELDS = Set.of("waves", "window", "maxFailures", "canary", "spreadBy",
            "pauseBetweenWavesSeconds", "order", "seed");
    private static final Set<String> CANARY_FIELDS = Set.of("hosts", "approval", "waitSeconds");
    private static final Set<String> ACTION_FIELDS = Set.of("kind", "spec", "timeoutSeconds", "minHealthySeconds");

    private final TaskRequestParser tasks = new TaskRequestParser();

    public RolloutRequest parse(Buffer body) {
        Object value;
        try {
            value = body == null || body.length() == 0 ? null : body.toJsonValue();
        } catch (DecodeException e) {
            throw new InvalidRolloutException("body", "the request body is not valid JSON");
        }
        if (!(value instanceof JsonObject json)) {
            throw new InvalidRolloutException("body", "the request body must be a JSON object");
        }
        return parse(json);
    }

    public RolloutRequest parse(JsonObject json) {
        for (String field : json.fieldNames()) {
            if (!FIELDS.contains(field)) {
                throw new InvalidRolloutException(field, "unknown field '" + field + "'; expected one of " + sorted(FIELDS));
            }
        }
        JsonObject taskJson = new JsonObject();
        TASK_FIELDS.forEach(f -> {
            if (json.containsKey(f)) {
                taskJson.put(f, json.getValue(f));
            }
        });
        TaskRequest task = task(taskJson, "");
        Object strategyValue = json.getValue("strategy");
        if (strategyValue != null && !(strategyValue instanceof JsonObject)) {
            throw new InvalidRolloutException("strategy", "'strategy' must be an object");
        }
        JsonObject strategyJson = strategyValue == null ? new JsonObject() : (JsonObject) strategyValue;
        RolloutAction health = action(json.getValue("healthCheck"), "healthCheck", json.getValue("target"));
        RolloutAction revert = action(json.getValue("onFailure"), "onFailure", json.getValue("target"));
        JsonObject shown = normalized(strategyJson);
        return new RolloutRequest(task, strategy(shown, health == null ? -1 : health.minHealthySeconds()), shown, health, revert);
    }

    /**
     * The strategy with every default filled in (what is recorded and shown).
     *
     * @throws InvalidRolloutException naming the field ({@code strategy.waves[1]})
     */
    public static JsonObject normalized(JsonObject strategy) {
        for (String field : strategy.fieldNames()) {
            if (!STRATEGY_FIELDS.contains(field)) {
                throw new InvalidRolloutException("strategy." + field, "unknown strategy field '" + field
                        + "'; expected one of " + sorted(STRATEGY_FIELDS));
            }
        }
        JsonObject shown = strategy.copy();
        if (shown.containsKey("waves") && shown.containsKey("window")) {
            throw new InvalidRolloutException("strategy.window", "give either 'waves' or 'window', not both");
        }
        if (!shown.containsKey("waves") && !shown.containsKey("window")) {
            shown.put("window", "10%");
        }
        if (!shown.containsKey("maxFailures")) {
            shown.put("maxFailures", 0);
        }
        Object order = shown.getValue("order");
        if (order == null) {
            shown.put("order", "id");
        } else if (!"id".equals(order) && !"random".equals(order)) {
            throw new InvalidRolloutException("strategy.order", "'order' must be \"id\" or \"random\", got " + order);
        }
        if ("random".equals(shown.getValue("order")) && !shown.containsKey("seed")) {
            shown.put("seed", ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        }
        return shown;
    }

    /** The planner's strategy from a normalized strategy; {@code healthCheckSeconds} -1 without a health check. */
    static Strategy strategy(JsonObject s, int healthCheckSeconds) {
        List<Amount> waves = null;
        Amount window = null;
        if (s.containsKey("waves")) {
            if (!(s.getValue("waves") instanceof JsonArray ramp) || ramp.isEmpty()) {
                throw new InvalidRolloutException("strategy.waves", "'waves' must be a non-empty list of counts and "
                        + "percents, e.g. [1, 10, \"25%\"]");
            }
            waves = new ArrayList<>();
            for (int i = 0; i < ramp.size(); i++) {
                Amount amount = amount(ramp.getValue(i), "strategy.waves[" + i + "]");
                if (amount.value() == 0) {
                    throw new InvalidRolloutException("strategy.waves[" + i + "]", "a wave must have at least one host");
                }
                waves.add(amount);
            }
        } else {
            window = amount(s.getValue("window"), "strategy.window");
            if (window.value() == 0) {
                throw new InvalidRolloutException("strategy.window", "the window must hold at least one host");
            }
        }
        Amount budget = amount(s.getValue("maxFailures"), "strategy.maxFailures");
        Canary canary = canary(s.getValue("canary"));
        String spreadBy = null;
        if (s.getValue("spreadBy") != null) {
            if (!(s.getValue("spreadBy") instanceof String key) || key.isBlank()) {
                throw new InvalidRolloutException("strategy.spreadBy", "'spreadBy' must be a label or fact key, e.g. \"dc\"");
            }
            spreadBy = key;
        }
        int pause = seconds(s.getValue("pauseBetweenWavesSeconds"), "strategy.pauseBetweenWavesSeconds");
        if (pause > 0 && waves == null) {
            throw new InvalidRolloutException("strategy.pauseBetweenWavesSeconds",
                    "'pauseBetweenWavesSeconds' needs 'waves' (a window has no waves to pause between)");
        }
        Order order = Order.BY_ID;
        if ("random".equals(s.getValue("order"))) {
            if (!(s.getValue("seed") instanceof Number seed)) {
                throw new InvalidRolloutException("strategy.seed", "'seed' must be a whole number");
            }
            order = Order.random(seed.longValue());
        }
        return new Strategy(waves, window, budget, canary, healthCheckSeconds, spreadBy,
                pause, order);
    }

    private static Canary canary(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject canary)) {
            throw new InvalidRolloutException("strategy.canary", "'canary' must be an object: {hosts, approval, waitSeconds}");
        }
        for (String field : canary.fieldNames()) {
            if (!CANARY_FIELDS.contains(field)) {
                throw new InvalidRolloutException("strategy.canary." + field, "unknown canary field '" + field
                        + "'; expected one of " + sorted(CANARY_FIELDS));
            }
        }
        if (!(canary.getValue("hosts") instanceof Integer hosts) || hosts < 1) {
            throw new InvalidRolloutException("strategy.canary.hosts", "'canary.hosts' must be a count of at least 1");
        }
        Object approvalText = canary.getValue("approval", "manual");
        Canary.Approval approval;
        if ("manual".equals(approvalText)) {
            approval = Canary.Approval.MANUAL;
        } else if ("auto".equals(approvalText)) {
            approval = Canary.Approval.AUTO;
        } else {
            throw new InvalidRolloutException("strategy.canary.approval", "'canary.approval' must be \"manual\" or \"auto\"");
        }
        return new Canary(hosts, approval, seconds(canary.getValue("waitSeconds"), "strategy.canary.waitSeconds"));
    }

    private static Amount amount(Object value, String field) {
        try {
            return Amount.parse(value);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidRolloutException(field, "'" + field + "' " + e.getMessage());
        }
    }

    private static int seconds(Object value, String field) {
        if (value == null) {
            return 0;
        }
        if (!(value instanceof Integer seconds) || seconds < 0) {
            throw new InvalidRolloutException(field, "'" + field + "' must be a whole number of seconds, 0 or more");
        }
        return seconds;
    }

    private RolloutAction action(Object value, String field, Object target) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject action)) {
            throw new InvalidRolloutException(field, "'" + field + "' must be an object: {kind, spec, timeoutSeconds}");
        }
        for (String key : action.fieldNames()) {
            boolean allowed = ACTION_FIELDS.contains(key) && (field.equals("healthCheck") || !key.equals("minHealthySeconds"));
            if (!allowed) {
                throw new InvalidRolloutException(field + "." + key, "unknown field '" + key + "' in '" + field + "'");
            }
        }
        JsonObject taskJson = new JsonObject().put("target", target).put("kind", action.getValue("kind"))
                .put("spec", action.getValue("spec"));
        if (action.containsKey("timeoutSeconds")) {
            taskJson.put("timeoutSeconds", action.getValue("timeoutSeconds"));
        }
        TaskRequest task = task(taskJson, field + ".");
        int minHealthy = seconds(action.getValue("minHealthySeconds"), field + ".minHealthySeconds");
        return new RolloutAction(task.kind(), task.spec(), task.timeoutSeconds(), minHealthy);
    }

    private TaskRequest task(JsonObject json, String prefix) {
        try {
            return tasks.parse(json);
        } catch (InvalidTaskRequestException e) {
            throw new InvalidRolloutException(prefix + fieldOf(e.getMessage()), prefix.isEmpty() ? e.getMessage()
                    : prefix.substring(0, prefix.length() - 1) + ": " + e.getMessage());
        }
    }

    /**
     * The task field an {@link InvalidTaskRequestException}'s message is about (the task parser
     * names the field in quotes first: "'kind' is required ..."), for a 400 naming it.
     */
    public static String fieldOf(String message) {
        for (String field : TASK_FIELDS) {
            if (message.contains("'" + field + "'") || message.contains(field + " '")
                    || message.toLowerCase(Locale.ROOT).startsWith(field.toLowerCase(Locale.ROOT))) {
                return field;
            }
        }
        return message.contains("selector") || message.contains("host") ? "target" : "spec";
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", names.stream().sorted().toList());
    }
}
