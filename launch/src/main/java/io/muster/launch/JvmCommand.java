package io.muster.launch;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Command lines that run a main class in a new JVM: the same java binary and class path as this
 * process, and the module-access flags this JVM was started with (the launcher chose them for
 * this JDK: {@code --add-opens ...}, {@code --enable-native-access},
 * {@code --sun-misc-unsafe-memory-access}). Immutable and thread-safe.
 */
public final class JvmCommand {

    private static final List<String> INHERITED_PREFIXES = List.of(
            "--add-modules", "--add-opens", "--add-exports", "--add-reads",
            "--enable-native-access", "--sun-misc-unsafe-memory-access");

    private final String javaBinary;
    private final String classPath;
    private final List<String> inheritedFlags;
    private final String mainClass;

    public JvmCommand(String javaBinary, String classPath, List<String> inheritedFlags, String mainClass) {
        this.javaBinary = javaBinary;
        this.classPath = classPath;
        this.inheritedFlags = List.copyOf(inheritedFlags);
        this.mainClass = mainClass;
    }

    /** A command that starts JVMs like the current one, running {@code mainClass}. */
    public static JvmCommand current(String mainClass) {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> flags = new ArrayList<>();
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (INHERITED_PREFIXES.stream().anyMatch(argument::startsWith)) {
                flags.add(argument);
            }
        }
        return new JvmCommand(java, System.getProperty("java.class.path"), flags, mainClass);
    }

    /** The same JVM settings running another main class. */
    public JvmCommand withMainClass(String otherMainClass) {
        return new JvmCommand(javaBinary, classPath, inheritedFlags, otherMainClass);
    }

    /** The class path the JVMs get (in the CLASSPATH variable). */
    public String classPath() {
        return classPath;
    }

    /** The module-access flags inherited from this JVM. */
    public List<String> inheritedFlags() {
        return inheritedFlags;
    }

    public String mainClass() {
        return mainClass;
    }

    /** The java binary; its directory also holds {@code jcmd}. */
    public String javaBinary() {
        return javaBinary;
    }

    /**
     * A process builder for {@code <main class> <arguments>} with extra JVM flags. The command
     * starts with {@code setsid} where available, so the child has its own session: Ctrl-C in the
     * terminal reaches only the parent, which then stops its children in order. (The child is never
     * a process-group leader, so {@code setsid} execs in place and the pid is the JVM's.) The class
     * path travels in the CLASSPATH variable rather than on the command line, which keeps the
     * command line short enough to be read back whole from another process (a guard finds its
     * siblings by their {@code --parent-pid}).
     */
    public ProcessBuilder command(List<String> jvmFlags, List<String> arguments) {
        List<String> command = new ArrayList<>();
        setsid().ifPresent(command::add);
        command.add(javaBinary);
        command.addAll(inheritedFlags);
        command.addAll(jvmFlags);
        command.add(mainClass);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("CLASSPATH", classPath);
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
