package io.muster.controller.task;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Optional;

/**
 * The task kinds the controller accepts, each with the shape its spec must have. The agent's
 * executors check the details; the controller refuses what can never run so that a typo costs
 * a 400, not a fleet of failed runs.
 */
public enum TaskKind {
    /** {@code {"command":["argv",...]}} or {@code {"shell":"..."}}, optional env (object of strings) and cwd. */
    EXEC {
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
    CONFIG {
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
    CONTAINER {
        @Override
        void checkSpec(JsonObject spec) {
            requireAction(spec, "a container spec");
        }
    },
    /** {@code {"action":"drain"|"reboot"|...}}. */
    LIFECYCLE {
        @Override
        void checkSpec(JsonObject spec) {
            requireAction(spec, "a lifecycle spec");
        }
    };

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
