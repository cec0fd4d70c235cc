package io.muster.agent.task;

import io.muster.agent.journal.Journal;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskAssignment;
import io.muster.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes the runs the controller assigns, at most once per run id.
 *
 * <p>A run id that is executing or has finished is never executed again: a re-delivered finished
 * run is answered with its final update from the journal. Every update goes through the
 * {@link Journal} before it reaches the {@link UpdateSink}; sequence numbers per run start at 1.
 * Output is streamed as RUNNING updates at most every {@value #STREAM_INTERVAL_MS} ms; the first
 * of them announces a run that is still executing then, so a run that ends sooner sends one update
 * only, the terminal one (with {@code started_at}): one message and one row write per short run. A run
 * that passes its timeout is stopped through its cancel actions and reported TIMED_OUT; a
 * cancelled one CANCELLED.
 *
 * <p>Threading: {@link #assign} and {@link #cancel} are called from the session's callback thread
 * and return quickly (journaling a start marker is the only I/O); executors run on the
 * {@code workers} executor; streaming and deadlines use the shared {@code timers}.
 */
public final class TaskRunner {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
    public static final long DEFAULT_OUTPUT_LIMIT = 1 << 20;
    static final long STREAM_INTERVAL_MS = 500;

    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

    private final Map<String, TaskExecutor> executors;
    private final Journal journal;
    private final Executor workers;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final Path dataDir;
    private final Map<String, Run> active = new ConcurrentHashMap<>(4);
    private volatile UpdateSink sink = update -> { };

    /**
     * @param executors one per kind; a later one replaces an earlier one of the same kind
     * @param workers   bounded pool on which executors run (they may block)
     * @param timers    shared timer for output streaming and deadlines; never blocked by the runner
     */
    public TaskRunner(Collection<? extends TaskExecutor> executors, Journal journal, Executor workers,
            ScheduledExecutorService timers, Clock clock, Path dataDir) {
        Map<String, TaskExecutor> byKind = new HashMap<>(executors.size() * 2);
        for (TaskExecutor executor : executors) {
            byKind.put(executor.kind(), executor);
        }
        this.executors = Map.copyOf(byKind);
        this.journal = journal;
        this.workers = workers;
        this.timers = timers;
        this.clock = clock;
        this.dataDir = dataDir;
    }

    /** Where updates go after they are journaled (the session). Until set, they wait in the journal. */
    public void setUpdateSink(UpdateSink sink) {
        this.sink = sink;
    }

    /** Kinds of the registered executors, sorted (advertised in Hello). */
    public Set<String> kinds() {
        return new TreeSet<>(executors.keySet());
    }

    /** Run ids executing right now. */
    public Set<String> runningRunIds() {
        return Set.copyOf(active.keySet());
    }

    public Journal journal() {
        return journal;
    }

    Path dataDir() {
        return dataDir;
    }

    /** Why a run was not started while the journal cannot be written (e.g. its disk is full). */
    public static final String JOURNAL_NOT_WRITABLE = "not started: the agent's task journal cannot be written (disk full?)";

    /** Starts the run unless its id is executing or finished (then it answers with the final update). */
    public void assign(TaskAssignment assignment) {
        String runId = assignment.getRunId();
        if (runId.isEmpty()) {
            LOG.warn("ignoring a task assignment without a run id (task {})", assignment.getTaskId());
            return;
        }
        if (active.containsKey(runId)) {
            LOG.debug("run {} is already executing; ignoring the re-delivery", runId);
            return;
        }
        var finalUpdate = journal.finalUpdate(runId);
        if (finalUpdate.isPresent()) {
            LOG.debug("run {} finished before; answering with its final update", runId);
            // Journaled again so that it is re-sent until acknowledged, like any other update.
            journal.record(finalUpdate.get());
            sink.send(finalUpdate.get());
            return;
        }
        long now = clock.millis();
        if (!journal.begin(runId, now)) {
            LOG.debug("run {} was started before; not executing it again", runId);
            return;
        }
        TaskExecutor executor = executors.get(assignment.getKind());
        Duration timeout = assignment.getTimeoutMs() > 0 ? Duration.ofMillis(assignment.getTimeoutMs()) : DEFAULT_TIMEOUT;
        long limit = assignment.getOutputLimitBytes() > 0 ? assignment.getOutputLimitBytes() : DEFAULT_OUTPUT_LIMIT;
        Run run = new Run(assignment, timeout, limit, now, this);
        if (executor == null) {
            complete(run, RunResult.failed("unsupported task kind: " + assignment.getKind()));
            return;
        }
        if (!journal.durable()) {
            // Its start is not on disk: after a crash the agent would not know it ran, and could run it twice.
            complete(run, RunResult.failed(JOURNAL_NOT_WRITABLE));
            return;
        }
        active.put(runId, run);
        try {
            workers.execute(() -> execute(run, executor));
        } catch (RejectedExecutionException e) {
            complete(run, RunResult.failed("the agent is shutting down"));
        }
    }

    /** Cancels the run if it is executing; otherwise nothing happens. */
    public void cancel(String runId, String reason) {
        Run run = active.get(runId);
        if (run != null) {
            run.cancel(reason == null || reason.isBlank() ? "cancelled" : "cancelled: " + reason, false);
        }
    }

    /** Cancels every executing run (agent shutdown). */
    public void cancelAll(String reason) {
        active.values().forEach(run -> run.cancel(reason, false));
    }

    private void execute(Run run, TaskExecutor executor) {
        run.armTimers(
                timers.scheduleWithFixedDelay(() -> publish(run),
                        STREAM_INTERVAL_MS, STREAM_INTERVAL_MS, TimeUnit.MILLISECONDS),
                timers.schedule(() -> run.cancel("timed out after " + describe(run.timeout()), true),
                        run.timeout().toMillis(), TimeUnit.MILLISECONDS));
        if (executor instanceof AsynchronousExecutor asynchronous) {
            CompletionStage<RunResult> stage;
            try {
                stage = asynchronous.start(run);
            } catch (RuntimeException e) {
                complete(run, failure(run, e));
                return;
            }
            stage.whenComplete((result, error) -> complete(run, error != null ? failure(run, error) : result));
            return;
        }
        RunResult result;
        try {
            result = executor.execute(run);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = RunResult.failed("interrupted: the agent is shutting down");
        } catch (RuntimeException | Error e) {
            result = failure(run, e);
        }
        complete(run, result);
    }

    private void complete(Run run, RunResult result) {
        if (result == null) {
            result = RunResult.failed("executor " + run.kind() + " returned no result");
        }
        TaskUpdate terminal;
        synchronized (run) {
            terminal = run.finish(result, clock.millis());
            if (terminal != null) {
                journal.record(terminal);
            }
        }
        active.remove(run.runId(), run);
        if (terminal != null) {
            sink.send(terminal);
            if (terminal.getState() != RunState.RUN_STATE_SUCCEEDED) {
                LOG.info("run {} ({}) ended {}: {}", run.runId(), run.kind(), terminal.getState(), terminal.getReason());
            }
        }
    }

    /**
     * Journals and sends a non-terminal update (the announcement, or an output chunk). Done under
     * the run's lock so that sequence order equals journal order and nothing follows the terminal one.
     */
    private void publish(Run run) {
        synchronized (run) {
            TaskUpdate update = run.outputChunk();
            if (update != null) {
                journal.record(update);
                sink.send(update);
            }
        }
    }

    private static RunResult failure(Run run, Throwable error) {
        LOG.warn("executor {} failed on run {}", run.kind(), run.runId(), error);
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return RunResult.failed("executor error: " + message);
    }

    private static String describe(Duration duration) {
        long ms = duration.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
