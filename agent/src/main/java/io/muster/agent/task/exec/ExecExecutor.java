package io.muster.agent.task.exec;

import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import io.muster.agent.task.TaskExecutor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task kind {@code exec}: runs a command (see {@link ExecSpec}) in its own process group, streams
 * its output into the run's capture, and on timeout or cancel stops the whole group: SIGTERM, then
 * SIGKILL after a grace period. Standard input is /dev/null.
 *
 * <p>Threading: {@link #execute} blocks its worker thread while the command runs; two short-lived
 * daemon threads copy stdout and stderr. Stateless; one instance serves all runs.
 */
public final class ExecExecutor implements TaskExecutor {

    public static final String KIND = "exec";
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    /** How long to keep reading output after the command exited (a daemon it left may hold the pipe). */
    private static final Duration OUTPUT_LINGER = Duration.ofSeconds(2);
    private static final Logger LOG = LoggerFactory.getLogger(ExecExecutor.class);

    private final Duration grace;

    public ExecExecutor() {
        this(DEFAULT_GRACE);
    }

    /** @param grace time between SIGTERM and SIGKILL when a run is stopped */
    public ExecExecutor(Duration grace) {
        this.grace = grace;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public RunResult execute(RunContext context) throws InterruptedException {
        ExecSpec spec;
        try {
            spec = ExecSpec.parse(context.spec());
        } catch (IllegalArgumentException e) {
            return RunResult.failed(e.getMessage());
        }
        if (context.dryRun()) {
            write(context.stdout(), "dry run: would execute " + String.join(" ", spec.argv()) + "\n");
            return RunResult.succeeded(null, null);
        }
        ProcessBuilder builder = new ProcessBuilder(ProcessGroup.leaderCommand(spec.argv()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(spec.env());
        if (spec.cwd().isPresent()) {
            Path cwd = Path.of(spec.cwd().get());
            if (!Files.isDirectory(cwd)) {
                return RunResult.failed("working directory does not exist or is not a directory: " + cwd);
            }
            builder.directory(cwd.toFile());
        }
        if (context.cancelled()) {
            return RunResult.cancelled("cancelled before start");
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return RunResult.failed("cannot start " + spec.argv().get(0) + ": " + e.getMessage());
        }
        Thread out = pump(process.getInputStream(), context.stdout(), context.runId() + "-out");
        Thread err = pump(process.getErrorStream(), context.stderr(), context.runId() + "-err");
        CompletableFuture<Void> stopRequested = new CompletableFuture<>();
        context.onCancel(() -> stopRequested.complete(null));

        boolean timedOut = false;
        try {
            long limitMs = spec.timeout().map(Duration::toMillis).orElse(Long.MAX_VALUE);
            CompletableFuture.anyOf(process.onExit(), stopRequested).get(limitMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            timedOut = true;
        } catch (ExecutionException e) {
            LOG.warn("unexpected error waiting for run {}", context.runId(), e);
        } catch (InterruptedException e) {
            stop(process);
            throw e;
        }
        boolean stopped = timedOut || stopRequested.isDone();
        if (stopped) {
            stop(process);
        }
        int exit = process.waitFor();
        out.join(OUTPUT_LINGER.toMillis());
        err.join(OUTPUT_LINGER.toMillis());
        if (timedOut) {
            return RunResult.timedOut("timed out after " + spec.timeout().get().toSeconds() + " s");
        }
        if (stopped) {
            return RunResult.cancelled("cancelled");
        }
        return exit == 0
                ? RunResult.succeeded(0, null)
                : RunResult.failed(exit, "exit code " + exit, null);
    }

    /** TERM to the group, KILL after the grace period, and KILL again for members that outlived the leader. */
    private void stop(Process process) throws InterruptedException {
        ProcessGroup.signal(process, "TERM");
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            ProcessGroup.signal(process, "KILL");
            process.waitFor();
        }
        ProcessGroup.signal(process, "KILL");
    }

    private static Thread pump(InputStream from, OutputStream to, String name) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (from) {
                int n;
                while ((n = from.read(buffer)) >= 0) {
                    to.write(buffer, 0, n);
                }
            } catch (IOException e) {
                LOG.debug("output of {} closed: {}", name, e.getMessage());
            }
        }, "muster-exec-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void write(OutputStream out, String text) {
        try {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.debug("cannot write to the run's output", e);
        }
    }
}
