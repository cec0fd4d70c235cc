package io.muster.agent.task.exec;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated {@code exec} specification.
 *
 * <pre>{"command": ["argv0", "arg", ...]}  or  {"shell": "script run with /bin/sh -c"}
 * optional: "env": {"NAME": "value"}, "cwd" (or "workingDirectory"): "/path", "timeoutSeconds": n</pre>
 *
 * @param argv    the command line to run (for a shell script: /bin/sh -c script)
 * @param env     variables added to the agent's environment
 * @param cwd     working directory, or empty for the agent's own
 * @param timeout limit from the spec, or empty to use the run's timeout only
 */
public record ExecSpec(List<String> argv, Map<String, String> env, Optional<String> cwd, Optional<Duration> timeout) {

    private static final Set<String> KNOWN = Set.of("command", "shell", "env", "cwd", "workingDirectory", "timeoutSeconds");

    /**
     * Parses and checks a spec.
     *
     * @throws IllegalArgumentException with a message for people when the spec is malformed
     */
    public static ExecSpec parse(Struct spec) {
        Map<String, Value> fields = spec.getFieldsMap();
        for (String name : fields.keySet()) {
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown field \"" + name + "\" in exec spec (known: command, shell, env, cwd, workingDirectory, timeoutSeconds)");
            }
        }
        Value command = fields.get("command");
        Value shell = fields.get("shell");
        if (command != null && shell != null) {
            throw new IllegalArgumentException("exec spec has both \"command\" and \"shell\"; give exactly one");
        }
        List<String> argv;
        if (command != null) {
            argv = command(command);
        } else if (shell != null) {
            if (shell.getKindCase() != Value.KindCase.STRING_VALUE || shell.getStringValue().isBlank()) {
                throw new IllegalArgumentException("exec spec field \"shell\" must be a non-empty string");
            }
            argv = List.of("/bin/sh", "-c", shell.getStringValue());
        } else {
            throw new IllegalArgumentException("exec spec has neither command nor shell: give \"command\" (a list of strings) or \"shell\" (a string)");
        }
        return new ExecSpec(argv, env(fields.get("env")), cwd(fields), timeout(fields.get("timeoutSeconds")));
    }

    private static List<String> command(Value command) {
        if (command.getKindCase() != Value.KindCase.LIST_VALUE || command.getListValue().getValuesCount() == 0) {
            throw new IllegalArgumentException("exec spec field \"command\" must be a non-empty list of strings");
        }
        List<String> argv = new ArrayList<>(command.getListValue().getValuesCount());
        for (Value arg : command.getListValue().getValuesList()) {
            if (arg.getKindCase() != Value.KindCase.STRING_VALUE) {
                throw new IllegalArgumentException("exec spec field \"command\" must hold only strings, found " + describe(arg));
            }
            argv.add(arg.getStringValue());
        }
        if (argv.get(0).isBlank()) {
            throw new IllegalArgumentException("exec spec field \"command\" starts with an empty program name");
        }
        return List.copyOf(argv);
    }

    private static Map<String, String> env(Value env) {
        if (env == null) {
            return Map.of();
        }
        if (env.getKindCase() != Value.KindCase.STRUCT_VALUE) {
            throw new IllegalArgumentException("exec spec field \"env\" must be an object of strings");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        for (Map.Entry<String, Value> var : env.getStructValue().getFieldsMap().entrySet()) {
            if (var.getKey().isEmpty() || var.getKey().contains("=")) {
                throw new IllegalArgumentException("exec spec: invalid environment variable name \"" + var.getKey() + "\"");
            }
            if (var.getValue().getKindCase() != Value.KindCase.STRING_VALUE) {
                throw new IllegalArgumentException("exec spec: environment variable " + var.getKey() + " must be a string, found " + describe(var.getValue()));
            }
            vars.put(var.getKey(), var.getValue().getStringValue());
        }
        return Map.copyOf(vars);
    }

    private static Optional<String> cwd(Map<String, Value> fields) {
        Value cwd = fields.containsKey("cwd") ? fields.get("cwd") : fields.get("workingDirectory");
        if (cwd == null) {
            return Optional.empty();
        }
        if (cwd.getKindCase() != Value.KindCase.STRING_VALUE || cwd.getStringValue().isBlank()) {
            throw new IllegalArgumentException("exec spec field \"cwd\" must be a non-empty string");
        }
        return Optional.of(cwd.getStringValue());
    }

    private static Optional<Duration> timeout(Value timeout) {
        if (timeout == null) {
            return Optional.empty();
        }
        if (timeout.getKindCase() != Value.KindCase.NUMBER_VALUE || !(timeout.getNumberValue() > 0)
                || timeout.getNumberValue() > Duration.ofDays(365).toSeconds()) {
            throw new IllegalArgumentException("exec spec field \"timeoutSeconds\" must be a positive number of seconds");
        }
        return Optional.of(Duration.ofMillis((long) (timeout.getNumberValue() * 1000)));
    }

    private static String describe(Value value) {
        return switch (value.getKindCase()) {
            case NUMBER_VALUE -> "a number";
            case BOOL_VALUE -> "a boolean";
            case STRUCT_VALUE -> "an object";
            case LIST_VALUE -> "a list";
            case NULL_VALUE -> "null";
            default -> "a " + value.getKindCase().name().toLowerCase();
        };
    }
}
