package io.muster.agent.task;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskAssignment;
import io.muster.proto.v1.TaskUpdate;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run in progress: the {@link RunContext} its executor sees, plus the bookkeeping of the
 * runner (sequence numbers, output chunks, cancel and timeout). All state changes happen under the
 * run's lock; cancel actions run outside it so that an action may block briefly (kill a process).
 */
final class Run implements RunContext {

    private static final Logger LOG = LoggerFactory.getLogger(Run.class);

    private final TaskAssignment assignment;
    private final Duration timeout;
    private final TaskRunner runner;
    private final OutputCapture stdout;
    private final OutputCapture stderr;
    private final long startedAtMs;
    private long sequence;
    private boolean finished;
    /** Whether a RUNNING update went out (the first flush of a run still executing). */
    private boolean announced;
    private volatile boolean cancelled;
    private boolean timedOut;
    private String cancelReason = "";
    private List<Runnable> cancelActions;
    private ScheduledFuture<?> flusher;
    private ScheduledFuture<?> deadline;

    Run(TaskAssignment assignment, Duration timeout, long outputLimit, long startedAtMs, TaskRunner runner) {
        this.assignment = assignment;
        this.timeout = timeout;
        this.runner = runner;
        this.stdout = new OutputCapture(outputLimit);
        this.stderr = new OutputCapture(outputLimit);
        this.startedAtMs = startedAtMs;
    }

    @Override
    public String runId() {
        return assignment.getRunId();
    }

    @Override
    public String taskId() {
        return assignment.getTaskId();
    }

    @Override
    public Struct spec() {
        return assignment.getSpec();
    }

    @Override
    public boolean dryRun() {
        return assignment.getDryRun();
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public OutputStream stdout() {
        return stdout;
    }

    @Override
    public OutputStream stderr() {
        return stderr;
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
        boolean runNow;
        synchronized (this) {
            runNow = cancelled;
            if (!runNow) {
                if (cancelActions == null) {
                    cancelActions = new ArrayList<>(2);
                }
                cancelActions.add(action);
            }
        }
        if (runNow) {
            runAction(action);
        }
    }

    @Override
    public Path dataDir() {
        return runner.dataDir();
    }

    String kind() {
        return assignment.getKind();
    }

    long startedAtMs() {
        return startedAtMs;
    }

    synchronized void armTimers(ScheduledFuture<?> flusher, ScheduledFuture<?> deadline) {
        if (finished) {
            flusher.cancel(false);
            deadline.cancel(false);
        } else {
            this.flusher = flusher;
            this.deadline = deadline;
        }
    }

    /**
     * A RUNNING update with the output written since the last one; null when the run finished, or
     * when it has announced itself already and has no new output. The first flush of a run that is
     * still executing is its announcement (output or not): a run that ends before it needs no
     * RUNNING message at all, its terminal update carries {@code started_at}.
     */
    synchronized TaskUpdate outputChunk() {
        if (finished || (announced && !stdout.hasPending() && !stderr.hasPending())) {
            return null;
        }
        announced = true;
        return base(RunState.RUN_STATE_RUNNING)
                .setStdoutChunk(ByteString.copyFrom(stdout.drain()))
                .setStderrChunk(ByteString.copyFrom(stderr.drain()))
                .build();
    }

    /** Stops the run: flags it and runs the cancel actions (kill the process group, ...). */
    void cancel(String reason, boolean becauseOfTimeout) {
        List<Runnable> actions;
        synchronized (this) {
            if (finished || cancelled) {
                return;
            }
            cancelled = true;
            timedOut = becauseOfTimeout;
            cancelReason = reason == null || reason.isBlank() ? "cancelled" : reason;
            actions = cancelActions;
            cancelActions = null;
        }
        if (actions != null) {
            actions.forEach(Run::runAction);
        }
    }

    /** The terminal update for {@code result}, or null when the run already finished. */
    synchronized TaskUpdate finish(RunResult result, long nowMs) {
        if (finished) {
            return null;
        }
        finished = true;
        if (flusher != null) {
            flusher.cancel(false);
            deadline.cancel(false);
        }
        RunState state = result.state();
        String reason = result.reason();
        if (timedOut && state != RunState.RUN_STATE_SUCCEEDED) {
            // Work that succeeded is reported so even when the deadline fired first (the agent noticed
            // late, or the work could not be stopped): the change happened, and saying "timed out"
            // would tell the operator it did not. The same rule as for a cancel, below.
            state = RunState.RUN_STATE_TIMED_OUT;
            reason = cancelReason;
        } else if (cancelled && state != RunState.RUN_STATE_SUCCEEDED) {
            state = RunState.RUN_STATE_CANCELLED;
            reason = cancelReason;
        }
        TaskUpdate.Builder update = base(state)
                .setStdoutChunk(ByteString.copyFrom(stdout.drain()))
                .setStderrChunk(ByteString.copyFrom(stderr.drain()))
                .setFinishedAtMs(nowMs)
                .setReason(reason)
                .setResult(result.result());
        if (result.exitCode() != null) {
            update.setExitCode(result.exitCode()).setHasExitCode(true);
        }
        return update.build();
    }

    private TaskUpdate.Builder base(RunState state) {
        return TaskUpdate.newBuilder()
                .setRunId(assignment.getRunId())
                .setSequence(++sequence)
                .setState(state)
                .setStartedAtMs(startedAtMs)
                .setTruncated(stdout.truncated() || stderr.truncated());
    }

    private static void runAction(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("a cancel action failed", e);
        }
    }
}
