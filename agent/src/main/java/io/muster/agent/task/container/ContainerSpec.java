package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed, validated container task spec: one record per action. Parsing is strict (unknown
 * fields, missing names, wrong JSON types are {@link SpecException}s) so that the executor only
 * ever sends the engine what the task author meant.
 */
public sealed interface ContainerSpec {

    /** Docker's own rule for container names. */
    Pattern CONTAINER_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    /** Labels the agent sets itself; a spec must not forge them. */
    String LABEL_PREFIX = "muster.";
    Set<String> RESTART_POLICIES = Set.of("no", "always", "on-failure", "unless-stopped");
    long DEFAULT_STOP_SECONDS = 10;

    /** The action name as written in the spec. */
    String action();

    /** {@code run}: create a container and start it. */
    record Run(String image, String name, List<String> command, Map<String, String> env, List<PortMapping> ports,
               List<String> mounts, Double cpus, Long memoryBytes, String restart, Map<String, String> labels,
               String service) implements ContainerSpec {
        public String action() {
            return "run";
        }
    }

    /** {@code stop}: stop a container, killing it after {@code timeoutSeconds}. */
    record Stop(String name, long timeoutSeconds) implements ContainerSpec {
        public String action() {
            return "stop";
        }
    }

    /** {@code remove}: remove a container; {@code force} also removes a running one. */
    record Remove(String name, boolean force) implements ContainerSpec {
        public String action() {
            return "remove";
        }
    }

    /** {@code restart}: stop (waiting {@code timeoutSeconds}) and start again. */
    record Restart(String name, long timeoutSeconds) implements ContainerSpec {
        public String action() {
            return "restart";
        }
    }

    /**
     * {@code logs}: the container's output as the run's output.
     *
     * @param tail   number of lines from the end, or null for all
     * @param follow keep streaming until the container stops, the run is cancelled or times out
     */
    record Logs(String name, Long tail, boolean follow) implements ContainerSpec {
        public String action() {
            return "logs";
        }
    }

    /**
     * {@code load}: download an image tarball, verify its digest, load it.
     *
     * @param headers extra request headers for the download (e.g. authorization)
     */
    record Load(String url, String digest, Map<String, String> headers) implements ContainerSpec {
        public String action() {
            return "load";
        }
    }

    /** {@code pull}: pull an image from its registry. */
    record Pull(String image) implements ContainerSpec {
        public String action() {
            return "pull";
        }
    }

    /** Parses and validates a spec. */
    static ContainerSpec parse(Struct spec) throws SpecException {
        Value action = spec.getFieldsOrDefault("action", null);
        if (action == null || !action.hasStringValue() || action.getStringValue().isBlank()) {
            throw new SpecException("spec.action is required: one of run, stop, remove, restart, logs, load, pull");
        }
        String name = action.getStringValue();
        return switch (name) {
            case "run" -> parseRun(reader(spec, name, "image", "name", "command", "env", "ports", "mounts", "cpus",
                    "memoryBytes", "restart", "labels", "service"));
            case "stop" -> {
                SpecReader r = reader(spec, name, "name", "timeoutSeconds");
                yield new Stop(containerName(r), stopSeconds(r));
            }
            case "remove" -> {
                SpecReader r = reader(spec, name, "name", "force");
                yield new Remove(containerName(r), r.optionalBoolean("force", false));
            }
            case "restart" -> {
                SpecReader r = reader(spec, name, "name", "timeoutSeconds");
                yield new Restart(containerName(r), stopSeconds(r));
            }
            case "logs" -> {
                SpecReader r = reader(spec, name, "name", "tail", "follow");
                yield new Logs(containerName(r), r.optionalWholeNumber("tail", 0, Integer.MAX_VALUE),
                        r.optionalBoolean("follow", false));
            }
            case "load" -> parseLoad(reader(spec, name, "url", "digest", "headers"));
            case "pull" -> new Pull(reader(spec, name, "image").requiredString("image"));
            default -> throw new SpecException("unknown container action '" + name
                    + "': expected one of run, stop, remove, restart, logs, load, pull");
        };
    }

    private static SpecReader reader(Struct spec, String action, String... fields) throws SpecException {
        Set<String> allowed = new java.util.HashSet<>(List.of(fields));
        allowed.add("action");
        SpecReader reader = new SpecReader(spec, allowed);
        reader.rejectUnknownFields(action);
        return reader;
    }

    private static Run parseRun(SpecReader r) throws SpecException {
        String image = r.requiredString("image");
        String name = containerName(r);
        List<PortMapping> ports = new java.util.ArrayList<>();
        for (String port : r.stringList("ports")) {
            ports.add(PortMapping.parse(port));
        }
        List<String> mounts = r.stringList("mounts");
        for (String mount : mounts) {
            checkMount(mount);
        }
        String restart = r.optionalString("restart", null);
        if (restart != null && !RESTART_POLICIES.contains(restart)) {
            throw new SpecException("spec.restart must be one of no, always, on-failure, unless-stopped; got '"
                    + restart + "'");
        }
        Map<String, String> labels = r.stringMap("labels");
        for (String key : labels.keySet()) {
            if (key.toLowerCase(Locale.ROOT).startsWith(LABEL_PREFIX)) {
                throw new SpecException("spec.labels must not set '" + key + "': muster.* labels are set by the agent");
            }
        }
        Map<String, String> env = r.stringMap("env");
        for (String key : env.keySet()) {
            if (key.isEmpty() || key.contains("=")) {
                throw new SpecException("spec.env has an invalid variable name '" + key + "'");
            }
        }
        return new Run(image, name, r.stringList("command"), env, List.copyOf(ports), mounts,
                r.optionalPositiveNumber("cpus"), r.optionalWholeNumber("memoryBytes", 4L * 1024 * 1024, Long.MAX_VALUE),
                restart, labels, r.optionalString("service", ""));
    }

    private static Load parseLoad(SpecReader r) throws SpecException {
        String url = r.requiredString("url");
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new SpecException("spec.url is not a URL: " + e.getMessage());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new SpecException("spec.url must be an http or https URL, got '" + url + "'");
        }
        String digest = r.requiredString("digest");
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new SpecException("spec.digest must be 'sha256:' followed by 64 lower-case hex digits, got '"
                    + digest + "'");
        }
        return new Load(url, digest, r.stringMap("headers"));
    }

    private static String containerName(SpecReader r) throws SpecException {
        String name = r.requiredString("name");
        if (!CONTAINER_NAME.matcher(name).matches()) {
            throw new SpecException("spec.name '" + name + "' is not a valid container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)");
        }
        return name;
    }

    private static long stopSeconds(SpecReader r) throws SpecException {
        Long seconds = r.optionalWholeNumber("timeoutSeconds", 0, 3600);
        return seconds == null ? DEFAULT_STOP_SECONDS : seconds;
    }

    private static void checkMount(String mount) throws SpecException {
        String[] parts = mount.split(":", -1);
        boolean modeOk = parts.length == 2 || (parts.length == 3 && (parts[2].equals("ro") || parts[2].equals("rw")));
        if (!modeOk || parts[0].isEmpty() || !parts[1].startsWith("/")) {
            throw new SpecException("spec.mounts entry '" + mount
                    + "' must be '<host path or volume>:<absolute container path>[:ro|:rw]'");
        }
        if (!parts[0].startsWith("/") && !CONTAINER_NAME.matcher(parts[0]).matches()) {
            throw new SpecException("spec.mounts entry '" + mount + "': '" + parts[0]
                    + "' is neither an absolute host path nor a volume name");
        }
    }
}
