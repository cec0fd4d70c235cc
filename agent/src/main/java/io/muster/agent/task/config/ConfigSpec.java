package io.muster.agent.task.config;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code config} task spec, {@code {"resources":[{"type":"file","path":...}, ...]}}, into
 * resources. Every resource is validated before anything is applied, so a typo in the last
 * resource does not leave the host half-configured. Errors name the resource by position and type.
 */
final class ConfigSpec {

    static final List<String> TYPES = List.of("file", "directory", "symlink", "absent", "package", "service", "command");

    /** Package and unit names: no leading dash, so a name can never be read as an option. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9@_.+:\\\\][A-Za-z0-9@_.+:\\\\-]*");

    private static final Map<String, Set<String>> FIELDS = Map.of(
            "file", Set.of("type", "path", "content", "mode", "owner", "group"),
            "directory", Set.of("type", "path", "mode", "owner", "group"),
            "symlink", Set.of("type", "path", "target"),
            "absent", Set.of("type", "path", "recursive"),
            "package", Set.of("type", "name", "state"),
            "service", Set.of("type", "name", "enabled", "running"),
            "command", Set.of("type", "name", "command", "shell", "unless", "creates", "cwd", "env"));

    private ConfigSpec() {
    }

    /** @throws IllegalArgumentException with a reason naming the bad resource */
    static List<Resource> parse(Struct spec, Path osRelease) {
        Value resources = spec.getFieldsMap().get("resources");
        if (resources == null || resources.getKindCase() != Value.KindCase.LIST_VALUE) {
            throw new IllegalArgumentException("config spec needs \"resources\": a list of resources");
        }
        List<Resource> parsed = new ArrayList<>();
        ListValue list = resources.getListValue();
        for (int i = 0; i < list.getValuesCount(); i++) {
            Value value = list.getValues(i);
            if (value.getKindCase() != Value.KindCase.STRUCT_VALUE) {
                throw new IllegalArgumentException("resource #" + (i + 1) + " is not an object");
            }
            parsed.add(new Fields(i + 1, value.getStructValue()).resource(osRelease));
        }
        return parsed;
    }

    /** One resource's fields, with errors that say which resource and field is wrong. */
    private static final class Fields {
        private final int index;
        private final Map<String, Value> fields;
        private String type = "";

        Fields(int index, Struct struct) {
            this.index = index;
            this.fields = struct.getFieldsMap();
        }

        Resource resource(Path osRelease) {
            type = string("type", true);
            if (!TYPES.contains(type)) {
                type = "";
                throw error("unknown type '" + string("type", true) + "'; expected one of " + String.join(", ", TYPES));
            }
            for (String field : fields.keySet()) {
                if (!FIELDS.get(type).contains(field)) {
                    throw error("unknown field '" + field + "'; expected " + String.join(", ", FIELDS.get(type)));
                }
            }
            switch (type) {
                case "file":
                    return new FileResource(path("path"), string("content", false), attributes());
                case "directory":
                    return new DirectoryResource(path("path"), attributes());
                case "symlink":
                    return new SymlinkResource(path("path"), Path.of(nonEmpty("target")));
                case "absent":
                    return new AbsentResource(path("path"), bool("recursive", false));
                case "package":
                    return new PackageResource(name(), state(), osRelease);
                case "service":
                    Boolean enabled = fields.containsKey("enabled") ? bool("enabled", false) : null;
                    Boolean running = fields.containsKey("running") ? bool("running", false) : null;
                    if (enabled == null && running == null) {
                        throw error("needs \"enabled\" or \"running\"");
                    }
                    return new ServiceResource(name(), enabled, running);
                default:
                    return command();
            }
        }

        private Resource command() {
            boolean hasCommand = fields.containsKey("command");
            if (hasCommand == fields.containsKey("shell")) {
                throw error("needs exactly one of \"command\" (argv list or shell line) and \"shell\"");
            }
            List<String> argv;
            String display;
            Value command = fields.get(hasCommand ? "command" : "shell");
            if (command.getKindCase() == Value.KindCase.LIST_VALUE) {
                argv = new ArrayList<>();
                for (Value arg : command.getListValue().getValuesList()) {
                    if (arg.getKindCase() != Value.KindCase.STRING_VALUE) {
                        throw error("\"command\" must be a list of strings");
                    }
                    argv.add(arg.getStringValue());
                }
                if (argv.isEmpty() || argv.get(0).isEmpty()) {
                    throw error("\"command\" must not be empty");
                }
                display = String.join(" ", argv);
            } else {
                String line = nonEmpty(hasCommand ? "command" : "shell");
                argv = List.of("/bin/sh", "-c", line);
                display = line;
            }
            String name = string("name", false);
            String creates = string("creates", false);
            String cwd = string("cwd", false);
            return new CommandResource(name == null ? display : name, List.copyOf(argv), string("unless", false),
                    creates == null ? null : absolute("creates", creates), cwd == null ? null : absolute("cwd", cwd), env());
        }

        private Map<String, String> env() {
            Value env = fields.get("env");
            if (env == null) {
                return Map.of();
            }
            if (env.getKindCase() != Value.KindCase.STRUCT_VALUE) {
                throw error("\"env\" must be an object of strings");
            }
            Map<String, String> variables = new LinkedHashMap<>();
            for (Map.Entry<String, Value> entry : env.getStructValue().getFieldsMap().entrySet()) {
                if (entry.getValue().getKindCase() != Value.KindCase.STRING_VALUE) {
                    throw error("\"env\" value of " + entry.getKey() + " must be a string");
                }
                variables.put(entry.getKey(), entry.getValue().getStringValue());
            }
            return Map.copyOf(variables);
        }

        private PosixAttributes attributes() {
            try {
                return new PosixAttributes(PosixAttributes.normalizeMode(string("mode", false)),
                        string("owner", false), string("group", false));
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
        }

        private String name() {
            String name = nonEmpty("name");
            if (!NAME.matcher(name).matches()) {
                throw error("\"name\" '" + name + "' is not a valid " + type + " name");
            }
            return name;
        }

        private boolean state() {
            String state = string("state", false);
            if (state == null || state.equals("present")) {
                return true;
            }
            if (state.equals("absent")) {
                return false;
            }
            throw error("\"state\" must be present or absent, not '" + state + "'");
        }

        private Path path(String field) {
            return absolute(field, nonEmpty(field));
        }

        private Path absolute(String field, String text) {
            if (text.indexOf('\0') >= 0) {
                throw error("\"" + field + "\" contains a NUL character");
            }
            Path path = Path.of(text);
            if (!path.isAbsolute()) {
                throw error("\"" + field + "\" must be an absolute path, not '" + text + "'");
            }
            return path.normalize();
        }

        private String nonEmpty(String field) {
            String value = string(field, true);
            if (value.isEmpty()) {
                throw error("\"" + field + "\" must not be empty");
            }
            return value;
        }

        private String string(String field, boolean required) {
            Value value = fields.get(field);
            if (value == null || value.getKindCase() == Value.KindCase.NULL_VALUE) {
                if (required) {
                    throw error("missing \"" + field + "\"");
                }
                return null;
            }
            if (value.getKindCase() != Value.KindCase.STRING_VALUE) {
                throw error("\"" + field + "\" must be a string" + (field.equals("mode") ? " like \"0644\"" : ""));
            }
            return value.getStringValue();
        }

        private boolean bool(String field, boolean fallback) {
            Value value = fields.get(field);
            if (value == null) {
                return fallback;
            }
            if (value.getKindCase() != Value.KindCase.BOOL_VALUE) {
                throw error("\"" + field + "\" must be true or false");
            }
            return value.getBoolValue();
        }

        private IllegalArgumentException error(String problem) {
            return new IllegalArgumentException("resource #" + index + (type.isEmpty() ? "" : " (" + type + ")") + ": " + problem);
        }
    }
}
