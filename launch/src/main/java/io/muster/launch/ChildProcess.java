package io.muster.launch;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A process started by Muster whose output (stdout and stderr) goes to one log file.
 * Not thread-safe: owned by the thread that started it ({@link #pid}, {@link #isAlive} and
 * {@link #exitCode} may be read from any thread).
 */
public final class ChildProcess {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} (as {@link #start(String, ProcessBuilder, Path)}). */
    public static ChildProcess start(String name, List<String> command, Path log) {
        return start(name, new ProcessBuilder(command), log);
    }

    /**
     * Starts the process {@code builder} describes; its output (stdout and stderr) replaces the
     * content of {@code log} (created with its directory) and its stdin is empty.
     *
     * @throws UncheckedIOException when the process cannot be started
     */
    public static ChildProcess start(String name, ProcessBuilder builder, Path log) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            return new ChildProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Exit code, empty while running. */
    public Optional<Integer> exitCode() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /**
     * Sends SIGTERM and waits up to {@code grace} for the process to exit; kills it (SIGKILL)
     * after that.
     *
     * @return true when it exited by itself within the grace period
     */
    public boolean stop(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return false;
    }

    /** SIGKILL ({@code kill -9}): no shutdown hook, no graceful hand-over; waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** The last non-blank line of the log (a hint for an error message), or empty. */
    public Optional<String> lastLogLine() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return Optional.of(lines.get(i).strip());
                }
            }
            return Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
