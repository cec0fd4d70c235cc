package io.muster.agent.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.journal.FileJournalStore;
import io.muster.agent.journal.Journal;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskRunnerTest {

    @TempDir
    Path dir;

    /** Counts executions, writes its spec's "text" and waits until released or cancelled. */
    static final class GateExecutor implements TaskExecutor {
        final AtomicInteger executions = new AtomicInteger();
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String kind() {
            return "gate";
        }

        @Override
        public RunResult execute(RunContext context) throws InterruptedException {
            executions.incrementAndGet();
            CountDownLatch cancelled = new CountDownLatch(1);
            context.onCancel(cancelled::countDown);
            try {
                String text = context.spec().getFieldsOrDefault("text", com.google.protobuf.Value.getDefaultInstance()).getStringValue();
                context.stdout().write(text.getBytes(StandardCharsets.UTF_8));
                context.stdout().flush();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            while (release.getCount() > 0 && cancelled.getCount() > 0) {
                release.await(20, TimeUnit.MILLISECONDS);
            }
            return cancelled.getCount() == 0 ? RunResult.cancelled("stopped") : RunResult.succeeded(0, null);
        }
    }

    private static com.google.protobuf.Struct text(String text) {
        return com.google.protobuf.Struct.newBuilder()
                .putFields("text", com.google.protobuf.Value.newBuilder().setStringValue(text).build()).build();
    }

    @Test
    void assign_sameRunIdTwice_executedOnce_finishedRunAnsweredWithFinalUpdate() throws Exception {
        GateExecutor gate = new GateExecutor();
        try (RunHarness h = new RunHarness(dir, List.of(gate))) {
            h.runner.assign(RunHarness.assignment("r1", "gate").build());
            h.runner.assign(RunHarness.assignment("r1", "gate").build());
            gate.release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);
            TaskUpdate terminal = h.terminal("r1");

            h.runner.assign(RunHarness.assignment("r1", "gate").build());

            assertThat(gate.executions).hasValue(1);
            assertThat(terminal.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
            assertThat(h.updatesOf("r1")).filteredOn(u -> u.getState() == RunState.RUN_STATE_SUCCEEDED)
                    .hasSize(2).allSatisfy(u -> assertThat(u).isEqualTo(terminal));
        }
    }

    @Test
    void assign_afterAgentRestart_finishedRunNotExecutedAgain() throws Exception {
        GateExecutor gate = new GateExecutor();
        gate.release.countDown();
        try (RunHarness h = new RunHarness(dir, List.of(gate))) {
            h.runner.assign(RunHarness.assignment("r1", "gate").build());
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);
        }
        try (RunHarness restarted = new RunHarness(dir, List.of(gate))) {
            restarted.runner.assign(RunHarness.assignment("r1", "gate").build());

            assertThat(gate.executions).hasValue(1);
            assertThat(restarted.terminal("r1").getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        }
    }

    @Test
    void sequences_startAtOne_increase_andOutputStreamsBeforeTheEnd() throws Exception {
        GateExecutor gate = new GateExecutor();
        try (RunHarness h = new RunHarness(dir, List.of(gate))) {
            h.runner.assign(RunHarness.assignment("r1", "gate").setSpec(text("hello")).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> h.stdout("r1").equals("hello"));
            assertThat(h.terminal("r1")).as("output streamed while running").isNull();
            gate.release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);

            List<TaskUpdate> updates = h.updatesOf("r1");
            assertThat(updates).extracting(TaskUpdate::getSequence)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, updates.size()).boxed().toList());
            assertThat(h.journal.unacknowledged()).containsExactlyElementsOf(updates);
        }
    }

    @Test
    void unknownKind_failsWithReason() throws Exception {
        try (RunHarness h = new RunHarness(dir, List.of())) {
            h.runner.assign(RunHarness.assignment("r1", "teleport").build());

            TaskUpdate terminal = h.terminal("r1");
            assertThat(terminal.getState()).isEqualTo(RunState.RUN_STATE_FAILED);
            assertThat(terminal.getReason()).isEqualTo("unsupported task kind: teleport");
            assertThat(terminal.getSequence()).isEqualTo(1);
        }
    }

    @Test
    void timeout_stopsTheRun_reportedTimedOut() throws Exception {
        GateExecutor gate = new GateExecutor();
        try (RunHarness h = new RunHarness(dir, List.of(gate))) {
            h.runner.assign(RunHarness.assignment("r1", "gate").setTimeoutMs(200).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);

            assertThat(h.terminal("r1").getState()).isEqualTo(RunState.RUN_STATE_TIMED_OUT);
            assertThat(h.terminal("r1").getReason()).contains("timed out");
        }
    }

    @Test
    void cancel_runningRun_reportedCancelled() throws Exception {
        GateExecutor gate = new GateExecutor();
        try (RunHarness h = new RunHarness(dir, List.of(gate))) {
            h.runner.assign(RunHarness.assignment("r1", "gate").build());
            await().atMost(Duration.ofSeconds(10)).until(() -> gate.executions.get() == 1);
            h.runner.cancel("r1", "operator said so");
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);

            assertThat(h.terminal("r1").getState()).isEqualTo(RunState.RUN_STATE_CANCELLED);
            assertThat(h.terminal("r1").getReason()).contains("operator said so");
            assertThat(h.runner.runningRunIds()).isEmpty();
        }
    }

    @Test
    void outputLimit_capsBytes_andMarksTruncated() throws Exception {
        GateExecutor gate = new GateExecutor();
        gate.release.countDown();
        try (RunHarness h = new RunHarness(dir, List.of(gate))) {
            h.runner.assign(RunHarness.assignment("r1", "gate").setSpec(text("0123456789")).setOutputLimitBytes(4).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> h.terminal("r1") != null);

            assertThat(h.stdout("r1")).isEqualTo("0123");
            assertThat(h.terminal("r1").getTruncated()).isTrue();
        }
    }

    @Test
    void crashDuringRun_restartReportsFailedAgentRestartedOnce() throws Exception {
        Journal journal = Journal.open(new FileJournalStore(dir.resolve("journal")), Clock.systemUTC());
        GateExecutor gate = new GateExecutor();
        var workers = java.util.concurrent.Executors.newSingleThreadExecutor();
        var timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        TaskRunner runner = new TaskRunner(List.of(gate), journal, workers, timers, Clock.systemUTC(), dir);
        runner.assign(RunHarness.assignment("r1", "gate").build());
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.executions.get() == 1);
        // "Crash": the old runner is abandoned mid-run; a new agent opens the same data dir.

        try (RunHarness restarted = new RunHarness(dir, List.of(gate))) {
            assertThat(restarted.journal.unacknowledged())
                    .filteredOn(u -> u.getState() == RunState.RUN_STATE_FAILED)
                    .singleElement()
                    .satisfies(u -> assertThat(u.getReason()).isEqualTo(Journal.AGENT_RESTARTED));
            restarted.runner.assign(RunHarness.assignment("r1", "gate").build());
            assertThat(gate.executions).hasValue(1);
        } finally {
            gate.release.countDown();
            workers.shutdownNow();
            timers.shutdownNow();
        }
    }
}
