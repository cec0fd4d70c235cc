package io.muster.cli.launch;

import io.muster.cli.MusterCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Command lines that run the {@code muster} command in a new JVM: the same java binary and class
 * path as this process, and the module-access flags this JVM was started with (the launcher chose
 * them for this JDK: {@code --add-opens ...}, {@code --enable-native-access},
 * {@code --sun-misc-unsafe-memory-access}). Immutable and thread-safe.
 */
public final class JavaCommand {

    private static final String AGENT_OPTIONS = "agent-jvm.options";
    private static final List<String> INHERITED_PREFIXES = List.of(
            "--add-modules", "--add-opens", "--add-exports", "--add-reads",
            "--enable-native-access", "--sun-misc-unsafe-memory-access");

    private final String javaBinary;
    private final String classPath;
    private final List<String> inheritedFlags;

    private JavaCommand(String java, String classPath, List<String> inheritedFlags) {
        this.javaBinary = java;
        this.classPath = classPath;
        this.inheritedFlags = List.copyOf(inheritedFlags);
    }

    /** A command that starts JVMs like the current one. */
    public static JavaCommand current() {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> flags = new ArrayList<>();
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (INHERITED_PREFIXES.stream().anyMatch(argument::startsWith)) {
                flags.add(argument);
            }
        }
        return new JavaCommand(java, System.getProperty("java.class.path"), flags);
    }

    /** The JVM settings for an agent process, from the list the launcher also reads. */
    public static List<String> agentJvmOptions() {
        try (InputStream in = JavaCommand.class.getResourceAsStream(AGENT_OPTIONS)) {
            if (in == null) {
                throw new IllegalStateException(AGENT_OPTIONS + " is missing from the muster-cli jar");
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
     * A process builder for {@code muster <arguments>} with extra JVM flags. The command starts
     * with {@code setsid} where available, so the child has its own session: Ctrl-C in the
     * terminal reaches only the parent, which then stops its children in order. The class path
     * travels in the CLASSPATH variable rather than on the command line, which keeps the command
     * line short enough to be read back whole from another process (the demo's guard finds its
     * siblings by their {@code --parent-pid}).
     */
    public ProcessBuilder muster(List<String> jvmFlags, List<String> arguments) {
        return java(jvmFlags, Optional.empty(), MusterCommand.class.getName(), arguments);
    }

    /**
     * As {@link #muster}, with {@code first} (a jar) in front of this JVM's class path, so its
     * classes replace the ones of the same name, and {@code mainClass} as the entry point: how the
     * agent supervisor starts an installed agent build.
     */
    public ProcessBuilder java(List<String> jvmFlags, Optional<Path> first, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        setsid().ifPresent(command::add);
        command.add(javaBinary);
        command.addAll(inheritedFlags);
        command.addAll(jvmFlags);
        command.add(mainClass);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CLASSPATH", first.map(jar -> jar.toAbsolutePath() + java.io.File.pathSeparator + classPath)
                .orElse(classPath));
        return builder;
    }

    private static Optional<String> setsid() {
        for (String candidate : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
