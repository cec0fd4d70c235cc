package io.muster.agent.task.container;

import io.muster.agent.download.LazyHttpClient;
import io.muster.agent.enrollment.HostProver;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import io.muster.agent.task.TaskExecutor;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code container} task kind: runs, stops, removes, restarts containers, streams their logs,
 * loads images by digest and pulls them, all through the Docker Engine API (Docker or Podman).
 *
 * <p>Threading: {@link #execute} blocks the agent's task worker; runs are independent and may
 * execute concurrently. A cancel or the run's deadline aborts the run's open engine connection
 * or download from the cancelling thread or this executor's single timer thread, so the worker
 * returns promptly. Call {@link #close()} when the agent stops to end the timer thread.
 *
 * <p>Guarantees: every call returns a terminal result; a bad spec or an engine error is
 * {@code FAILED} with a readable reason (the engine's message verbatim); a dry run contacts no
 * engine and changes nothing; containers created by a run carry the labels {@code muster.managed},
 * {@code muster.task} and {@code muster.service}. The engine may still finish a request that was
 * in flight when the run was aborted (an abort closes the connection, it cannot recall a request).
 */
public final class ContainerExecutor implements TaskExecutor, AutoCloseable {

    public static final String KIND = "container";
    private static final Logger LOG = LoggerFactory.getLogger(ContainerExecutor.class);

    private final ContainerActions containers;
    private final ContainerLogs logs;
    private final ImageActions images;
    private final ScheduledExecutorService deadlines;

    /** An executor using {@code engine} and a JDK HTTP client, made on the first image download. */
    public ContainerExecutor(DockerEngineClient engine) {
        this(engine, HostProver.NONE);
    }

    /**
     * As {@link #ContainerExecutor(DockerEngineClient)}, sending {@code prover}'s proof of this host
     * with a download grant.
     */
    public ContainerExecutor(DockerEngineClient engine, HostProver prover) {
        this(engine, LazyHttpClient.standard(), prover);
    }

    /** An executor using {@code engine}, downloading image tarballs with {@code http}. */
    public ContainerExecutor(DockerEngineClient engine, HttpClient http) {
        this(engine, () -> http, HostProver.NONE);
    }

    private ContainerExecutor(DockerEngineClient engine, Supplier<HttpClient> http, HostProver prover) {
        this.containers = new ContainerActions(engine);
        this.logs = new ContainerLogs(engine);
        this.images = new ImageActions(engine, new ImageDownload(http, Duration.ofMinutes(1), prover));
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "container-run-deadlines");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.deadlines = timer;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public RunResult execute(RunContext context) throws InterruptedException {
        ContainerSpec spec;
        try {
            spec = ContainerSpec.parse(context.spec());
        } catch (SpecException e) {
            return RunResult.failed("bad container spec: " + e.getMessage());
        }
        if (context.cancelled()) {
            return RunResult.cancelled("cancelled before container " + spec.action() + " started");
        }
        if (context.dryRun()) {
            try {
                return DryRunPlan.describe(spec, context);
            } catch (IOException e) {
                return RunResult.failed("could not write the dry-run plan: " + e.getMessage());
            }
        }
        AbortSignal abort = new AbortSignal();
        context.onCancel(() -> abort.abort(AbortSignal.Reason.CANCELLED));
        ScheduledFuture<?> deadline = deadlines.schedule(() -> abort.abort(AbortSignal.Reason.TIMED_OUT),
                Math.max(1, context.timeout().toMillis()), TimeUnit.MILLISECONDS);
        try {
            return dispatch(spec, context, abort);
        } catch (EngineException e) {
            return stoppedOr(abort, spec, context, RunResult.failed(e.getMessage()));
        } catch (IOException e) {
            return stoppedOr(abort, spec, context, RunResult.failed("container " + spec.action() + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
        } catch (RuntimeException e) {
            LOG.warn("container {} of run {} failed unexpectedly", spec.action(), context.runId(), e);
            return stoppedOr(abort, spec, context, RunResult.failed("container " + spec.action()
                    + " failed unexpectedly: " + e));
        } finally {
            deadline.cancel(false);
        }
    }

    private RunResult dispatch(ContainerSpec spec, RunContext context, AbortSignal abort)
            throws EngineException, IOException, InterruptedException {
        if (spec instanceof ContainerSpec.Run run) {
            return containers.run(run, context, abort);
        } else if (spec instanceof ContainerSpec.Stop stop) {
            return containers.stop(stop, context, abort);
        } else if (spec instanceof ContainerSpec.Remove remove) {
            return containers.remove(remove, context, abort);
        } else if (spec instanceof ContainerSpec.Restart restart) {
            return containers.restart(restart, context, abort);
        } else if (spec instanceof ContainerSpec.Logs logSpec) {
            return logs.stream(logSpec, context, abort);
        } else if (spec instanceof ContainerSpec.Load load) {
            return images.load(load, context, abort);
        } else if (spec instanceof ContainerSpec.Pull pull) {
            return images.pull(pull, context, abort);
        }
        throw new IllegalStateException("no handler for container action " + spec.action());
    }

    /** An aborted run reports why it stopped, not the broken connection the abort caused. */
    private static RunResult stoppedOr(AbortSignal abort, ContainerSpec spec, RunContext context, RunResult failure) {
        AbortSignal.Reason reason = abort.reason();
        if (reason == AbortSignal.Reason.CANCELLED) {
            return RunResult.cancelled("cancelled during container " + spec.action());
        }
        if (reason == AbortSignal.Reason.TIMED_OUT) {
            return RunResult.timedOut("container " + spec.action() + " did not finish within " + context.timeout());
        }
        return failure;
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
    }
}
