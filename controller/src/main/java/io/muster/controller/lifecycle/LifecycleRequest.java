package io.muster.controller.lifecycle;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * A validated lifecycle request: the action and its parameters.
 *
 * <p>Parameters: drain {@code graceSeconds} (0..3600, default 10: how long each container may
 * take to stop before it is killed); upgrade-agent {@code version} (required: an uploaded agent
 * build); decommission {@code removeConfigFiles} (boolean, default false); every action with work
 * {@code timeoutSeconds} (1..86400). Unknown parameters are refused.
 */
public record LifecycleRequest(LifecycleAction action, JsonObject params) {

    static final int DEFAULT_GRACE_SECONDS = 10;
    private static final Map<LifecycleAction, Set<String>> ALLOWED = Map.of(
            LifecycleAction.CORDON, Set.of(),
            LifecycleAction.UNCORDON, Set.of(),
            LifecycleAction.MAINTENANCE, Set.of(),
            LifecycleAction.DRAIN, Set.of("graceSeconds", "timeoutSeconds"),
            LifecycleAction.REBOOT, Set.of("timeoutSeconds"),
            LifecycleAction.UPGRADE_AGENT, Set.of("version", "timeoutSeconds"),
            LifecycleAction.DECOMMISSION, Set.of("removeConfigFiles", "timeoutSeconds"));

    /**
     * Parses {@code {"action": ..., ...params}}.
     *
     * @throws IllegalArgumentException with a sentence saying what is wrong
     */
    public static LifecycleRequest parse(JsonObject body) {
        if (body == null) {
            throw new IllegalArgumentException("the body must be a JSON object with \"action\"");
        }
        Object actionValue = body.getValue("action");
        if (!(actionValue instanceof String name)) {
            throw new IllegalArgumentException("\"action\" is required: one of cordon, uncordon, drain, maintenance, "
                    + "reboot, upgrade-agent, decommission");
        }
        LifecycleAction action = LifecycleAction.fromWireName(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown action '" + name + "': expected cordon, uncordon, drain, maintenance, reboot, upgrade-agent "
                        + "or decommission"));
        JsonObject params = body.copy();
        params.remove("action");
        for (String key : params.fieldNames()) {
            if (!ALLOWED.get(action).contains(key)) {
                throw new IllegalArgumentException("unknown parameter '" + key + "' for " + action.wireName()
                        + (ALLOWED.get(action).isEmpty() ? " (it takes none)" : "; allowed: " + ALLOWED.get(action)));
            }
        }
        integer(params, "graceSeconds", 0, 3600);
        integer(params, "timeoutSeconds", 1, 86_400);
        if (params.containsKey("removeConfigFiles") && !(params.getValue("removeConfigFiles") instanceof Boolean)) {
            throw new IllegalArgumentException("\"removeConfigFiles\" must be true or false");
        }
        if (action == LifecycleAction.UPGRADE_AGENT) {
            Object version = params.getValue("version");
            if (!(version instanceof String text) || text.isBlank()) {
                throw new IllegalArgumentException("upgrade-agent needs \"version\": the version of an uploaded agent build");
            }
        }
        return new LifecycleRequest(action, params);
    }

    private static void integer(JsonObject params, String key, int min, int max) {
        if (!params.containsKey(key)) {
            return;
        }
        Object value = params.getValue(key);
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
                || ((Number) value).longValue() > max) {
            throw new IllegalArgumentException("\"" + key + "\" must be an integer from " + min + " to " + max);
        }
    }

    int timeoutSeconds(int fallback) {
        return params.getInteger("timeoutSeconds", fallback);
    }
}
