package io.muster.agent.task;

import io.muster.agent.journal.FileJournalStore;
import io.muster.agent.journal.Journal;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskAssignment;
import io.muster.proto.v1.TaskUpdate;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A real task runner on a real file journal, with a sink that records what would go to the
 * controller. Tests in other packages use it to drive executors exactly as the agent does.
 */
public final class RunHarness implements AutoCloseable {

    public final Journal journal;
    public final TaskRunner runner;
    public final List<TaskUpdate> sent = new CopyOnWriteArrayList<>();
    private final ExecutorService workers = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    public RunHarness(Path dataDir, List<? extends TaskExecutor> executors) throws Exception {
        journal = Journal.open(new FileJournalStore(dataDir.resolve("journal")), Clock.systemUTC());
        runner = new TaskRunner(executors, journal, workers, timers, Clock.systemUTC(), dataDir);
        runner.setUpdateSink(sent::add);
    }

    public List<TaskUpdate> updatesOf(String runId) {
        return sent.stream().filter(u -> u.getRunId().equals(runId)).toList();
    }

    /** The terminal update of the run, or null while it is not finished. */
    public TaskUpdate terminal(String runId) {
        return updatesOf(runId).stream()
                .filter(u -> u.getState() != RunState.RUN_STATE_RUNNING)
                .findFirst().orElse(null);
    }

    /** All stdout of the run, concatenated over its updates. */
    public String stdout(String runId) {
        StringBuilder out = new StringBuilder();
        updatesOf(runId).forEach(u -> out.append(u.getStdoutChunk().toStringUtf8()));
        return out.toString();
    }

    public String stderr(String runId) {
        StringBuilder out = new StringBuilder();
        updatesOf(runId).forEach(u -> out.append(u.getStderrChunk().toStringUtf8()));
        return out.toString();
    }

    public static TaskAssignment.Builder assignment(String runId, String kind) {
        return TaskAssignment.newBuilder().setRunId(runId).setTaskId("task-" + runId).setKind(kind);
    }

    @Override
    public void close() throws Exception {
        runner.cancelAll("test over");
        workers.shutdown();
        workers.awaitTermination(20, TimeUnit.SECONDS);
        timers.shutdownNow();
        journal.close();
    }
}
