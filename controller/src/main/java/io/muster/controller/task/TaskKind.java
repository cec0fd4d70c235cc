package io.muster.controller.task;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The registry of task kinds: one descriptor per kind, the only place that says what a kind is.
 * Each names its wire name (also the agent executor it needs, as listed in
 * {@code Hello.capabilities}), validates its spec (the agent's executors check the details; the
 * controller refuses what can never run so that a typo costs a 400, not a fleet of failed runs),
 * declares which spec fields are secret ({@link #secretFields}, redacted by {@link #redact} on
 * every path that shows a spec to a reader) and whether only hosts whose lifecycle is
 * {@code ready} get it. The OpenAPI document's {@code TaskKind} enum is checked against it.
 *
 * <p>To add a kind: add a constant here, its executor on the agent, and the enum value in the
 * OpenAPI document (a test fails until it is there).
 */
public enum TaskKind {
    /** {@code {"command":["argv",...]}} or {@code {"shell":"..."}}, optional env (object of strings) and cwd. */
    EXEC(true, "env.*") {
        @Override
        void checkSpec(JsonObject spec) {
            Object command = spec.getValue("command");
            Object shell = spec.getValue("shell");
            if (command != null && shell != null) {
                throw invalid("spec has both 'command' and 'shell'; give one of them");
            }
            if (command == null && shell == null) {
                throw invalid("an exec spec needs 'command' (array of strings) or 'shell' (string)");
            }
            if (command != null) {
                if (!(command instanceof JsonArray) || ((JsonArray) command).isEmpty()) {
                    throw invalid("spec.command must be a non-empty array of strings");
                }
                JsonArray argv = (JsonArray) command;
                for (int i = 0; i < argv.size(); i++) {
                    if (!(argv.getValue(i) instanceof String)) {
                        throw invalid("spec.command[" + i + "] must be a string");
                    }
                }
                if (((String) argv.getValue(0)).isBlank()) {
                    throw invalid("spec.command[0] (the program) must not be blank");
                }
            } else if (!(shell instanceof String) || ((String) shell).isBlank()) {
                throw invalid("spec.shell must be a non-blank string");
            }
            Object env = spec.getValue("env");
            if (env != null) {
                if (!(env instanceof JsonObject)) {
                    throw invalid("spec.env must be an object of strings");
                }
                for (var entry : ((JsonObject) env)) {
                    if (!(entry.getValue() instanceof String)) {
                        throw invalid("spec.env." + entry.getKey() + " must be a string");
                    }
                }
            }
            for (String key : new String[] {"cwd", "workingDirectory"}) {
                Object value = spec.getValue(key);
                if (value != null && !(value instanceof String)) {
                    throw invalid("spec." + key + " must be a string");
                }
            }
        }
    },
    /** {@code {"resources":[{"type":"file",...},...]}}, an ordered, non-empty list. */
    CONFIG(true, "resources[].content", "resources[].env.*") {
        @Override
        void checkSpec(JsonObject spec) {
            Object resources = spec.getValue("resources");
            if (!(resources instanceof JsonArray) || ((JsonArray) resources).isEmpty()) {
                throw invalid("a config spec needs 'resources', a non-empty array of objects");
            }
            JsonArray list = (JsonArray) resources;
            for (int i = 0; i < list.size(); i++) {
                Object resource = list.getValue(i);
                if (!(resource instanceof JsonObject)) {
                    throw invalid("spec.resources[" + i + "] must be an object");
                }
                Object type = ((JsonObject) resource).getValue("type");
                if (!(type instanceof String) || ((String) type).isBlank()) {
                    throw invalid("spec.resources[" + i + "].type must be a non-blank string");
                }
            }
        }
    },
    /** {@code {"action":"run"|"stop"|...}} plus action-specific fields. */
    CONTAINER(true, "env.*", "headers.*") {
        @Override
        void checkSpec(JsonObject spec) {
            requireAction(spec, "a container spec");
        }
    },
    /** {@code {"action":"drain"|"reboot"|...}}; reaches hosts in any lifecycle (draining one is the point). */
    LIFECYCLE(false) {
        @Override
        void checkSpec(JsonObject spec) {
            requireAction(spec, "a lifecycle spec");
        }
    };

    /** What a reader sees in place of a secret value. */
    public static final String REDACTED = "[redacted]";

    private final boolean readyHostsOnly;
    private final List<String> secretFields;

    TaskKind(boolean readyHostsOnly, String... secretFields) {
        this.readyHostsOnly = readyHostsOnly;
        this.secretFields = List.of(secretFields);
    }

    /** Whether only hosts whose lifecycle is {@code ready} get runs of this kind. */
    public boolean readyHostsOnly() {
        return readyHostsOnly;
    }

    /**
     * Spec fields whose values are secret: dot-separated paths where {@code name[]} walks every
     * element of an array and {@code *} every member of an object (e.g. {@code env.*}: every
     * environment value, the names stay visible).
     */
    public List<String> secretFields() {
        return secretFields;
    }

    /**
     * A copy of {@code spec} with every secret value replaced by {@link #REDACTED}: what every API
     * reader gets (REST, GraphQL, rollouts, schedules). Only the assignment an agent receives
     * carries the values. Anything that is not where the path expects (a wrong type) is left as
     * it is; validation refused such specs on the way in.
     */
    public JsonObject redact(JsonObject spec) {
        if (spec == null || secretFields.isEmpty()) {
            return spec;
        }
        JsonObject copy = spec.copy();
        for (String field : secretFields) {
            redact(copy, field.split("\\."), 0);
        }
        return copy;
    }

    private static void redact(Object node, String[] path, int at) {
        if (!(node instanceof JsonObject object) || at >= path.length) {
            return;
        }
        String segment = path[at];
        boolean last = at == path.length - 1;
        if (segment.equals("*")) {
            for (String key : List.copyOf(object.fieldNames())) {
                if (last) {
                    object.put(key, REDACTED);
                } else {
                    redact(object.getValue(key), path, at + 1);
                }
            }
        } else if (segment.endsWith("[]")) {
            Object value = object.getValue(segment.substring(0, segment.length() - 2));
            if (value instanceof JsonArray array) {
                for (Object element : array) {
                    redact(element, path, at + 1);
                }
            }
        } else if (object.containsKey(segment)) {
            if (last) {
                object.put(segment, REDACTED);
            } else {
                redact(object.getValue(segment), path, at + 1);
            }
        }
    }

    /** {@link #redact} for a spec stored with its kind's wire name; an unknown kind shows nothing. */
    public static JsonObject redact(String kind, JsonObject spec) {
        return fromWireName(kind).map(k -> k.redact(spec)).orElseGet(JsonObject::new);
    }

    /**
     * A copy of a request-shaped object ({@code kind} and {@code spec}, as a task, a rollout, a
     * rollout's {@code healthCheck}/{@code onFailure} or a schedule's action is written) with the
     * secret values of its spec and of its nested actions redacted.
     */
    public static JsonObject redactRequest(JsonObject request) {
        if (request == null) {
            return null;
        }
        JsonObject copy = request.copy();
        if (copy.getValue("kind") instanceof String kind && copy.getValue("spec") instanceof JsonObject spec) {
            copy.put("spec", redact(kind, spec));
        }
        for (String nested : List.of("healthCheck", "onFailure")) {
            if (copy.getValue(nested) instanceof JsonObject action) {
                copy.put(nested, redactRequest(action));
            }
        }
        return copy;
    }

    /** The executor an agent must list in {@code Hello.capabilities} to run this kind. */
    public String executor() {
        return wireName();
    }

    /** Name on the wire ({@code TaskAssignment.kind}) and in the API. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TaskKind> fromWireName(String name) {
        for (TaskKind kind : values()) {
            if (kind.wireName().equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** @throws InvalidTaskRequestException saying what is wrong with the spec */
    abstract void checkSpec(JsonObject spec);

    private static void requireAction(JsonObject spec, String what) {
        Object action = spec.getValue("action");
        if (!(action instanceof String) || ((String) action).isBlank()) {
            throw invalid(what + " needs 'action', a non-blank string");
        }
    }

    private static InvalidTaskRequestException invalid(String detail) {
        return new InvalidTaskRequestException(detail);
    }
}
