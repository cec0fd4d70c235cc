package io.muster.cli.launch;

import io.muster.launch.JvmCommand;
import io.muster.cli.MusterCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Command lines that run the {@code muster} command in a new JVM: the same java binary and class
 * path as this process, and the module-access flags this JVM was started with (the launcher chose
 * them for this JDK: {@code --add-opens ...}, {@code --enable-native-access},
 * {@code --sun-misc-unsafe-memory-access}). The command lines themselves come from
 * {@link JvmCommand}, which {@code muster bench} uses for its fleets too; this class adds what is
 * the muster command's own: its main class and the agent's JVM options. Immutable and thread-safe.
 */
public final class JavaCommand {

    private static final String AGENT_OPTIONS = "agent-jvm.options";
    private static final String SUPERVISOR_OPTIONS = "supervisor-jvm.options";

    private final JvmCommand jvm;

    private JavaCommand(JvmCommand jvm) {
        this.jvm = jvm;
    }

    /** A command that starts JVMs like the current one. */
    public static JavaCommand current() {
        return new JavaCommand(JvmCommand.current(MusterCommand.class.getName()));
    }

    /** The JVM settings for an agent process, from the list the launcher also reads. */
    public static List<String> agentJvmOptions() {
        return options(AGENT_OPTIONS);
    }

    /** The JVM settings of the agent's supervisor (the launcher and the agent package read the same list). */
    public static List<String> supervisorJvmOptions() {
        return options(SUPERVISOR_OPTIONS);
    }

    private static List<String> options(String name) {
        try (InputStream in = JavaCommand.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the muster-cli jar");
            }
            List<String> options = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    String option = line.strip();
                    if (!option.isEmpty() && !option.startsWith("#")) {
                        options.add(option);
                    }
                }
            }
            return List.copyOf(options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A process builder for {@code muster <arguments>} with extra JVM flags (see
     * {@link JvmCommand#command}: {@code setsid}, the class path in CLASSPATH so the command line
     * stays short enough for the demo's guard to find its siblings by their {@code --parent-pid}).
     */
    public ProcessBuilder muster(List<String> jvmFlags, List<String> arguments) {
        return jvm.command(jvmFlags, arguments);
    }

    /**
     * As {@link #muster}, with {@code first} (a jar) in front of this JVM's class path, so its
     * classes replace the ones of the same name, and {@code mainClass} as the entry point: how the
     * agent supervisor starts an installed agent build.
     */
    public ProcessBuilder java(List<String> jvmFlags, Optional<Path> first, String mainClass, List<String> arguments) {
        JvmCommand command = jvm.withMainClass(mainClass);
        return first.map(command::withClassPathFirst).orElse(command).command(jvmFlags, arguments);
    }
}
