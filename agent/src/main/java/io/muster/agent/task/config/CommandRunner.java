package io.muster.agent.task.config;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Runs the host commands that package, service and command resources need, within one run's
 * deadline and cancellation. Programs are looked up on an explicit search path (the agent's
 * {@code PATH}), which the child processes inherit, so a missing tool is reported by name.
 *
 * <p>One instance per run, used from the run's worker thread; each call blocks until its process
 * ends or is killed. Output is captured (bounded) and optionally echoed to the run's streams.
 */
final class CommandRunner {

    /** Captured output per stream; enough for a readable error message. */
    private static final int CAPTURE_LIMIT = 16 * 1024;
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration OUTPUT_LINGER = Duration.ofSeconds(2);

    /** Outcome of one command. */
    record Outcome(int exitCode, String stdout, String stderr) {

        /** Last non-blank line of stderr (else stdout), for error messages. */
        String lastLine() {
            String text = stderr.isBlank() ? stdout : stderr;
            String[] lines = text.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }
    }

    private final List<Path> searchPath;
    private final Clock clock;
    private final Instant deadline;
    private final BooleanSupplier cancelled;
    private final OutputStream echoOut;
    private final OutputStream echoErr;

    CommandRunner(List<Path> searchPath, Clock clock, Instant deadline, BooleanSupplier cancelled,
                  OutputStream echoOut, OutputStream echoErr) {
        this.searchPath = List.copyOf(searchPath);
        this.clock = clock;
        this.deadline = deadline;
        this.cancelled = cancelled;
        this.echoOut = echoOut;
        this.echoErr = echoErr;
    }

    /** The agent's own {@code PATH}, as a list of directories. */
    static List<Path> systemSearchPath() {
        String path = System.getenv("PATH");
        List<Path> dirs = new ArrayList<>();
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        return dirs;
    }

    List<Path> searchPath() {
        return searchPath;
    }

    /** The executable of that name on the search path, if any. */
    Optional<Path> locate(String program) {
        if (program.contains("/")) {
            Path path = Path.of(program);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        for (Path dir : searchPath) {
            Path candidate = dir.resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Like {@link #locate} but a missing program is a {@link ConfigException} naming what needed it. */
    Path require(String program, String neededFor) throws ConfigException {
        return locate(program).orElseThrow(() -> new ConfigException(
                program + " not found on PATH (" + searchPath.stream().map(Path::toString).collect(Collectors.joining(":"))
                        + "): " + neededFor));
    }

    /** Runs a shell command line with {@code /bin/sh -c}. */
    Outcome shell(String command, Path cwd, Map<String, String> env, boolean echo) throws ConfigException {
        return run(List.of("/bin/sh", "-c", command), cwd, env, echo);
    }

    /**
     * Runs argv (argv[0] looked up on the search path) with standard input from /dev/null.
     *
     * @param echo copy the output to the run's streams as it comes (for changes, not for checks)
     * @throws ConfigException when the program is missing, cannot start, or the run's deadline
     *                         passes or it is cancelled (the process and its children are killed)
     */
    Outcome run(List<String> argv, Path cwd, Map<String, String> env, boolean echo) throws ConfigException {
        if (argv.isEmpty()) {
            throw new ConfigException("empty command");
        }
        List<String> command = new ArrayList<>(argv);
        command.set(0, require(argv.get(0), "needed to run " + String.join(" ", argv)).toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("PATH", searchPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        builder.environment().putAll(env);
        if (cwd != null) {
            if (!Files.isDirectory(cwd)) {
                throw new ConfigException("working directory " + cwd + " does not exist");
            }
            builder.directory(cwd.toFile());
        }
        checkTime(String.join(" ", argv));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ConfigException("cannot start " + String.join(" ", argv) + ": " + PosixAttributes.describe(e), e);
        }
        Capture out = new Capture(process.getInputStream(), echo ? echoOut : null);
        Capture err = new Capture(process.getErrorStream(), echo ? echoErr : null);
        try {
            while (!process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean() || !clock.instant().isBefore(deadline)) {
                    kill(process);
                    checkTime(String.join(" ", argv));
                }
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while running " + String.join(" ", argv), e);
        }
        return new Outcome(process.exitValue(), out.text(), err.text());
    }

    /** Fails when the run was cancelled or its deadline passed. */
    void checkTime(String doing) throws ConfigException {
        if (cancelled.getAsBoolean()) {
            throw new ConfigException("cancelled while running " + doing);
        }
        if (!clock.instant().isBefore(deadline)) {
            throw new ConfigException("run timed out while running " + doing);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(OUTPUT_LINGER.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drains one output stream on its own daemon thread, keeping the first bytes and echoing all. */
    private static final class Capture {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;

        Capture(InputStream in, OutputStream echo) {
            thread = new Thread(() -> drain(in, echo), "config-command-output");
            thread.setDaemon(true);
            thread.start();
        }

        private void drain(InputStream in, OutputStream echo) {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (kept) {
                        int room = CAPTURE_LIMIT - kept.size();
                        if (room > 0) {
                            kept.write(buffer, 0, Math.min(room, n));
                        }
                    }
                    if (echo != null) {
                        echo.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // The process was killed or closed its end: what was read so far is the output.
            }
        }

        String text() {
            try {
                // A daemon the command left behind may hold the pipe open; do not wait for it forever.
                thread.join(OUTPUT_LINGER.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
