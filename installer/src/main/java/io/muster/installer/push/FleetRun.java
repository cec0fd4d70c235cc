package io.muster.installer.push;

import io.muster.installer.fleet.FleetApi;
import io.muster.installer.ssh.RemoteShell;
import io.muster.installer.ssh.SshConnector;
import io.muster.installer.ssh.SshFailure;
import io.muster.installer.ssh.SshTarget;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one job (install, uninstall) on many hosts over SSH, at most {@code parallel} at a time.
 * A host that fails (unreachable, refused host key or login, a failing step) gets a FAILED result
 * with the reason and the others go on. {@link #run} blocks the caller until every host is done
 * and returns the results in the order of the targets.
 */
public final class FleetRun {

    /** The work on one logged-in host. Called on a worker thread; must return rather than throw for a host's own failures. */
    @FunctionalInterface
    public interface HostJob {
        HostResult run(RemoteShell shell, Progress progress) throws IOException, InterruptedException;
    }

    private final SshConnector ssh;
    private final int parallel;

    public FleetRun(SshConnector ssh, int parallel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallel);
        }
        this.ssh = ssh;
        this.parallel = parallel;
    }

    public List<HostResult> run(List<SshTarget> targets, HostJob job, Progress progress) throws InterruptedException {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, Math.max(1, targets.size())), runnable -> {
            Thread thread = new Thread(runnable, "muster-install-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<HostResult>> futures = new ArrayList<>();
            for (SshTarget target : targets) {
                futures.add(pool.submit(() -> one(target, job, progress)));
            }
            List<HostResult> results = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    // one() catches everything a host can throw; this is a bug, still reported per host
                    results.add(new HostResult(targets.get(i).label(), HostOutcome.FAILED, null,
                            "internal error: " + e.getCause(), Duration.ZERO));
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private HostResult one(SshTarget target, HostJob job, Progress progress) throws InterruptedException {
        String host = target.label();
        Instant start = Instant.now();
        progress.started(host);
        HostResult result;
        progress.step(host, "connect");
        try (RemoteShell shell = ssh.connect(target)) {
            result = job.run(shell, progress);
        } catch (SshFailure e) {
            result = new HostResult(host, HostOutcome.FAILED, null, e.getMessage(), Duration.between(start, Instant.now()));
        } catch (FleetApi.Failure e) {
            // the session was fine: the controller's API was not, and the message says how
            result = new HostResult(host, HostOutcome.FAILED, null, e.getMessage(), Duration.between(start, Instant.now()));
        } catch (IOException | RuntimeException e) {
            result = new HostResult(host, HostOutcome.FAILED, null, "ssh session failed: " + e.getMessage(),
                    Duration.between(start, Instant.now()));
        }
        progress.finished(result);
        return result;
    }
}
