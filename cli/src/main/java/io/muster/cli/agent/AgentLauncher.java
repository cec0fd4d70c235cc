package io.muster.cli.agent;

import io.muster.agent.upgrade.AgentSupervisor;
import io.muster.cli.MusterCommand;
import io.muster.cli.launch.JavaCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Starts the agent JVM for the supervisor: {@code muster agent <same options> --supervised}
 * with the agent JVM settings, the installed build (if any) in front of the distribution's class
 * path so its classes win, and the build's own {@code Main-Class} when its manifest names one (a
 * build may bring its own entry point; it gets the same arguments). The agent's output goes where
 * the supervisor's goes (a terminal, or systemd's journal); its environment is the supervisor's
 * with {@code MALLOC_ARENA_MAX=2} unless set. Immutable.
 */
final class AgentLauncher implements AgentSupervisor.Launcher {

    private static final String MALLOC_ARENA_MAX = "MALLOC_ARENA_MAX";

    private final JavaCommand java;
    private final List<String> jvmFlags;
    private final List<String> arguments;
    private final String enrollToken;
    private final Path dataDir;

    /**
     * @param arguments   the agent's arguments after "agent" (supervision flags are added here)
     * @param enrollToken the enrollment token to hand the agent on its standard input while the host
     *                    is not enrolled (never on its command line); null: none
     */
    AgentLauncher(JavaCommand java, List<String> jvmFlags, List<String> arguments, String enrollToken, Path dataDir) {
        this.java = java;
        this.jvmFlags = List.copyOf(jvmFlags);
        List<String> all = new ArrayList<>();
        all.add("agent");
        all.addAll(arguments);
        all.add("--supervised");
        // The agent stops by itself if the supervisor is killed, so nothing outlives it.
        all.add("--parent-pid");
        all.add(Long.toString(ProcessHandle.current().pid()));
        this.arguments = List.copyOf(all);
        this.enrollToken = enrollToken;
        this.dataDir = dataDir;
    }

    @Override
    public Process start(Optional<Path> build) throws IOException {
        String main = MusterCommand.class.getName();
        if (build.isPresent()) {
            main = mainClass(build.get()).orElse(main);
        }
        boolean handToken = enrollToken != null && !EnrollmentToken.enrolled(dataDir);
        List<String> command = new ArrayList<>(arguments);
        if (handToken) {
            command.add("--enroll-token-stdin");
        }
        ProcessBuilder builder = java.java(jvmFlags, build, main, command).inheritIO()
                .redirectInput(handToken ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // glibc gives each thread that mallocs its own arena (up to 8 per core), and the agent's
        // twenty-odd threads each keep one partly touched: two arenas save it megabytes of
        // resident memory for almost no contention. An operator's own setting wins.
        builder.environment().putIfAbsent(MALLOC_ARENA_MAX, "2");
        Process process = builder.start();
        if (handToken) {
            try (OutputStream in = process.getOutputStream()) {
                in.write((enrollToken + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return process;
    }

    List<String> arguments() {
        return arguments;
    }

    private static Optional<String> mainClass(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String main = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            return Optional.ofNullable(main).map(String::strip).filter(name -> !name.isEmpty());
        } catch (IOException e) {
            throw new IOException("agent build " + jar + " is not a readable jar: " + e.getMessage(), e);
        }
    }
}
