package io.muster.cli.demo;

import io.muster.cli.launch.ParentOption;
import io.muster.cli.launch.StopSignal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code muster db-guard} (hidden): started by the demo next to its embedded PostgreSQL, which
 * runs as a daemon and so would outlive a demo killed with {@code kill -9}. When the parent is
 * gone, the guard waits for the parent's other children (the controllers) to exit, then stops
 * the PostgreSQL server whose pid is in {@code <postgres-dir>/postmaster.pid}. Asked to stop by
 * a signal instead (the demo stopping normally, which shuts the database down itself), it
 * leaves the database alone.
 */
@Command(name = "db-guard", hidden = true,
        description = "Stop the demo's embedded PostgreSQL when the demo process is gone.")
public final class DatabaseGuardCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(DatabaseGuardCommand.class);
    static final Duration SIBLINGS_GRACE = Duration.ofSeconds(90);
    static final Duration POSTGRES_GRACE = Duration.ofSeconds(30);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--postgres-dir", required = true, paramLabel = "DIR",
            description = "Data directory of the PostgreSQL server to stop.")
    Path postgresDir;

    @Mixin
    ParentOption parent;

    @Override
    public Integer call() throws Exception {
        long parentPid = parent.pid().orElseThrow(() ->
                new CommandLine.ParameterException(spec.commandLine(), "--parent-pid is required"));
        StopSignal stop = StopSignal.onInterruptOrTerminate();
        parent.watch(stop);
        log.info("guarding the PostgreSQL server in {} until process {} exits", postgresDir, parentPid);
        String reason = stop.await();
        if (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
            log.info("stopping ({}); the parent looks after the database", reason);
            return 0;
        }
        log.warn("{}; stopping what it left behind", reason);
        awaitSiblings(parentPid);
        stopPostgres();
        return 0;
    }

    /** The controllers watch the same parent and stop by themselves; the database must outlive them. */
    private void awaitSiblings(long parentPid) throws InterruptedException {
        Instant end = Instant.now().plus(SIBLINGS_GRACE);
        List<ProcessHandle> siblings = siblings(parentPid);
        while (!siblings.isEmpty() && Instant.now().isBefore(end)) {
            log.info("waiting for {} processes of the demo to stop", siblings.size());
            try {
                siblings.get(0).onExit().get(1, TimeUnit.SECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                // poll again; the list is re-read below
            }
            siblings = siblings(parentPid);
        }
    }

    /** Other processes started with {@code --parent-pid parentPid}. */
    static List<ProcessHandle> siblings(long parentPid) {
        long self = ProcessHandle.current().pid();
        String marker = Long.toString(parentPid);
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self)
                .filter(p -> hasParentPid(p.info(), marker))
                .toList();
    }

    private static boolean hasParentPid(ProcessHandle.Info info, String marker) {
        Optional<String[]> arguments = info.arguments();
        if (arguments.isPresent()) {
            String[] args = arguments.get();
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].equals("--parent-pid") && args[i + 1].equals(marker)) {
                    return true;
                }
            }
            return false;
        }
        // The JDK gives only the joined command line when it cannot split it reliably.
        return (" " + info.commandLine().orElse("") + " ").contains(" --parent-pid " + marker + " ");
    }

    private void stopPostgres() throws InterruptedException {
        Optional<ProcessHandle> postmaster = postmaster(postgresDir);
        if (postmaster.isEmpty()) {
            log.info("no PostgreSQL server is running in {}", postgresDir);
            return;
        }
        ProcessHandle server = postmaster.get();
        log.info("stopping PostgreSQL (pid {}) in {}", server.pid(), postgresDir);
        // SIGTERM is PostgreSQL's "smart" shutdown: with the controllers gone there is no session to wait for.
        server.destroy();
        try {
            server.onExit().get(POSTGRES_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            log.info("PostgreSQL stopped");
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            log.warn("PostgreSQL did not stop within {} s; killing it", POSTGRES_GRACE.toSeconds());
            server.destroyForcibly();
        }
    }

    /**
     * The live server process named in {@code <dir>/postmaster.pid} (first line), if it is a
     * postgres process: a stale file must never make the guard signal an unrelated process.
     */
    static Optional<ProcessHandle> postmaster(Path postgresDir) {
        Path pidFile = postgresDir.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).strip());
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().orElse("").contains("postgres"));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
