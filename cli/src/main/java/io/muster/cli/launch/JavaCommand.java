package io.muster.cli.launch;

import io.muster.cli.MusterCommand;
import io.muster.launch.JvmCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

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
    /** The agent's supervisor, a POSIX shell script (see its header). */
    public static final String SUPERVISOR_SCRIPT = "agent-supervisor.sh";

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

    /** The supervisor script's text, as the agent package ships it. */
    public static String agentSupervisorScriptText() {
        try (InputStream in = JavaCommand.class.getResourceAsStream(SUPERVISOR_SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException(SUPERVISOR_SCRIPT + " is missing from the muster-cli jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The supervisor script written to {@code directory} (a script inside a jar cannot be run):
     * for the processes that start a supervised agent from a running JVM, {@code muster demo} and
     * tests. Rewritten when its content differs.
     */
    public static Path agentSupervisorScript(Path directory) {
        try {
            Files.createDirectories(directory);
            Path script = directory.resolve(SUPERVISOR_SCRIPT);
            String text = agentSupervisorScriptText();
            if (!Files.isRegularFile(script) || !Files.readString(script, StandardCharsets.UTF_8).equals(text)) {
                Path temp = directory.resolve(SUPERVISOR_SCRIPT + ".tmp");
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                Files.move(temp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the agent supervisor script into " + directory, e);
        }
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
     * A process builder for a supervised agent, as the launchers start it: {@code sh
     * agent-supervisor.sh agent <arguments>} (the script written into {@code scriptDirectory}),
     * which runs this JVM's java and class path with the inherited flags, the agent JVM options and
     * {@code extraJvmFlags}, and {@code MALLOC_ARENA_MAX=2} unless set.
     */
    public ProcessBuilder supervisedAgent(Path scriptDirectory, List<String> extraJvmFlags, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add("/bin/sh");
        command.add(agentSupervisorScript(scriptDirectory).toString());
        command.add("agent");
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        List<String> flags = new ArrayList<>(jvm.inheritedFlags());
        flags.addAll(agentJvmOptions());
        flags.addAll(extraJvmFlags);
        builder.environment().put("MUSTER_JAVA", jvm.javaBinary());
        builder.environment().put("MUSTER_CLASSPATH", jvm.classPath());
        builder.environment().put("MUSTER_JVM_FLAGS", String.join(" ", flags));
        builder.environment().put("MUSTER_MAIN", jvm.mainClass());
        builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        return builder;
    }
}
