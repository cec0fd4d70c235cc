package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.controller.store.Await;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskUpdate;
import io.muster.proto.v1.UpdateRef;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RunResultBatcherTest {

    @RegisterExtension
    static final TaskStore store = new TaskStore("tasks", "hosts");


    private final List<UpdateRef> acked = new CopyOnWriteArrayList<>();
    private final AckSink sink = acked::addAll;
    private RunResultBatcher batcher;

    @AfterEach
    void stop() {
        if (batcher != null) {
            batcher.close();
        }
    }

    private RunResultBatcher batcher(Duration interval, int maxBatch, int outputLimit) {
        batcher = new RunResultBatcher(store.vertx(), store.database().pool(), new SimpleMeterRegistry(), interval, maxBatch, outputLimit);
        return batcher;
    }

    private List<RunRef> runs(int hosts) {
        store.tables().hosts("h", hosts);
        return Await.result(store.tasks().create(UUID.randomUUID(), TaskRepositoryTest.exec(
                TaskRepositoryTest.selector("hostname~*")), "m-1")).runs();
    }

    private static TaskUpdate running(UUID run, long seq, String out) {
        return TaskUpdate.newBuilder().setRunId(run.toString()).setSequence(seq).setState(RunState.RUN_STATE_RUNNING)
                .setStartedAtMs(1_700_000_000_000L).setStdoutChunk(ByteString.copyFromUtf8(out)).build();
    }

    private static TaskUpdate finished(UUID run, long seq, RunState state, int exit, String out) {
        return TaskUpdate.newBuilder().setRunId(run.toString()).setSequence(seq).setState(state)
                .setHasExitCode(true).setExitCode(exit).setStdoutChunk(ByteString.copyFromUtf8(out))
                .setStderrChunk(ByteString.copyFromUtf8("err"))
                .setStartedAtMs(1_700_000_000_000L).setFinishedAtMs(1_700_000_001_000L)
                .setReason(state == RunState.RUN_STATE_SUCCEEDED ? "" : "exit " + exit)
                .setResult(Struct.newBuilder().putFields("changed", Value.newBuilder().setNumberValue(2).build()))
                .build();
    }

    private static String text(Row row, String column) {
        return new String(row.getBuffer(column).getBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void updatesOfARunAreAppliedInSequenceOrderWithinOneBatch() {
        UUID run = runs(1).get(0).runId();
        RunResultBatcher batcher = batcher(Duration.ofHours(1), 3, 1024);
        // Arrival order differs from sequence order; the third submission fills the batch.
        batcher.submit(finished(run, 3, RunState.RUN_STATE_SUCCEEDED, 0, "c"), sink);
        batcher.submit(running(run, 1, "a"), sink);
        batcher.submit(running(run, 2, "b"), sink);

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 3);
        Row row = store.tables().run(run);
        assertThat(text(row, "stdout")).isEqualTo("abc");
        assertThat(text(row, "stderr")).isEqualTo("err");
        assertThat(row.getString("state")).isEqualTo("succeeded");
        assertThat(row.getInteger("exit_code")).isZero();
        assertThat(row.getLong("last_sequence")).isEqualTo(3);
        assertThat(row.getOffsetDateTime("started_at").toInstant().toEpochMilli()).isEqualTo(1_700_000_000_000L);
        assertThat(row.getOffsetDateTime("finished_at").toInstant().toEpochMilli()).isEqualTo(1_700_000_001_000L);
        assertThat(row.getOffsetDateTime("recorded_at")).isNotNull();
        assertThat((JsonObject) row.getValue("result")).isEqualTo(new JsonObject().put("changed", 2));
        assertThat(batcher.statements()).isEqualTo(1);
    }

    @Test
    void resentAndLateUpdatesChangeNothingButAreAcknowledged() {
        UUID run = runs(1).get(0).runId();
        RunResultBatcher batcher = batcher(Duration.ofMillis(20), 1000, 1024);
        batcher.submit(running(run, 1, "a"), sink);
        batcher.submit(running(run, 2, "b"), sink);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 2);

        // A reconnecting agent sends everything not acknowledged again, and a duplicate in one batch.
        batcher.submit(running(run, 2, "b"), sink);
        batcher.submit(finished(run, 3, RunState.RUN_STATE_FAILED, 7, "c"), sink);
        batcher.submit(finished(run, 3, RunState.RUN_STATE_FAILED, 7, "c"), sink);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 5);
        // Terminal: nothing changes it any more.
        batcher.submit(finished(run, 4, RunState.RUN_STATE_SUCCEEDED, 0, "d"), sink);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 6);

        Row row = store.tables().run(run);
        assertThat(text(row, "stdout")).isEqualTo("abc");
        assertThat(row.getString("state")).isEqualTo("failed");
        assertThat(row.getInteger("exit_code")).isEqualTo(7);
        assertThat(row.getString("reason")).isEqualTo("exit 7");
        assertThat(row.getLong("last_sequence")).isEqualTo(3);
    }

    @Test
    void outputIsCappedAndMarkedTruncated() {
        UUID run = runs(1).get(0).runId();
        RunResultBatcher batcher = batcher(Duration.ofMillis(20), 1000, 10);
        batcher.submit(running(run, 1, "0123456"), sink);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 1);
        assertThat(store.tables().run(run).getBoolean("truncated")).isFalse();
        batcher.submit(running(run, 2, "789abcdef"), sink);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 2);

        Row row = store.tables().run(run);
        assertThat(text(row, "stdout")).isEqualTo("0123456789");
        assertThat(row.getBoolean("truncated")).isTrue();
        assertThat(row.getString("state")).isEqualTo("running");
        assertThat(row.getOffsetDateTime("running_since")).isNotNull();
    }

    @Test
    void aBatchOfManyRunsIsOneStatement() {
        List<RunRef> runs = runs(300);
        RunResultBatcher batcher = batcher(Duration.ofHours(1), 600, 1024);
        for (RunRef run : runs) {
            batcher.submit(running(run.runId(), 1, "out"), sink);
            batcher.submit(finished(run.runId(), 2, RunState.RUN_STATE_SUCCEEDED, 0, "put"), sink);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> acked.size() == 600);
        assertThat(batcher.statements()).isEqualTo(1);
        assertThat(store.tables().runStates()).containsEntry("succeeded", 300L).hasSize(1);
        assertThat(store.tables().count("SELECT count(*) FROM runs WHERE stdout = 'output'::bytea")).isEqualTo(300);
    }

    @Test
    void nothingIsAcknowledgedUntilTheWriteSucceeds() {
        UUID run = runs(1).get(0).runId();
        store.testDatabase().execute("ALTER TABLE runs RENAME TO runs_away");
        try {
            RunResultBatcher batcher = batcher(Duration.ofMillis(20), 1000, 1024);
            batcher.submit(finished(run, 1, RunState.RUN_STATE_SUCCEEDED, 0, "done"), sink);
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> batcher.statements() >= 3);
            assertThat(acked).isEmpty();
        } finally {
            store.testDatabase().execute("ALTER TABLE runs_away RENAME TO runs");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 1);
        assertThat(acked.get(0)).isEqualTo(UpdateRef.newBuilder().setRunId(run.toString()).setSequence(1).build());
        assertThat(store.tables().run(run).getString("state")).isEqualTo("succeeded");
    }

    @Test
    void malformedUpdatesAreAcknowledgedAndDropped() {
        RunResultBatcher batcher = batcher(Duration.ofMillis(20), 1000, 1024);
        batcher.submit(TaskUpdate.newBuilder().setRunId("not-a-uuid").setSequence(1)
                .setState(RunState.RUN_STATE_SUCCEEDED).build(), sink);
        batcher.submit(TaskUpdate.newBuilder().setRunId(UUID.randomUUID().toString()).setSequence(1).build(), sink);
        await().atMost(Duration.ofSeconds(5)).until(() -> acked.size() == 2);
        assertThat(batcher.statements()).isZero();
    }

    @Test
    void nulInReasonAndResultIsStoredAsReplacementCharacter() {
        UUID run = runs(1).get(0).runId();
        RunResultBatcher batcher = batcher(Duration.ofMillis(20), 1000, 1024);
        TaskUpdate withNul = finished(run, 1, RunState.RUN_STATE_FAILED, 1, "out\u0000put").toBuilder()
                .setReason("bad\u0000reason")
                .setResult(Struct.newBuilder().putFields("k\u0000ey", Value.newBuilder().setStringValue("v\u0000").build()))
                .build();
        batcher.submit(withNul, sink);

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 1);
        Row row = store.tables().run(run);
        assertThat(row.getString("state")).isEqualTo("failed");
        assertThat(row.getString("reason")).isEqualTo("bad\uFFFDreason");
        assertThat((JsonObject) row.getValue("result")).isEqualTo(new JsonObject().put("k\uFFFDey", "v\uFFFD"));
        // Output is bytes: kept exactly as the agent sent it.
        assertThat(text(row, "stdout")).isEqualTo("out\u0000put");
        assertThat(batcher.unstorable()).isZero();
    }

    @Test
    void anUpdateThatCannotBeStoredFailsItsRunAndLetsTheRestOfTheBatchThrough() {
        List<RunRef> created = runs(5);
        // A value PostgreSQL refuses the same way on every retry (here a rule of the table, as a
        // stand-in for whatever else it may reject that the batcher does not clean up).
        store.testDatabase().execute("ALTER TABLE runs ADD CONSTRAINT no_poison CHECK (reason IS DISTINCT FROM 'poison')");
        try {
            storeAllButThePoison(created);
        } finally {
            store.testDatabase().execute("ALTER TABLE runs DROP CONSTRAINT no_poison");
        }
    }

    private void storeAllButThePoison(List<RunRef> created) {
        RunResultBatcher batcher = batcher(Duration.ofMillis(20), 1000, 1024);
        UUID poisoned = created.get(2).runId();
        batcher.submit(finished(poisoned, 1, RunState.RUN_STATE_FAILED, 1, "p").toBuilder().setReason("poison")
                .build(), sink);
        for (RunRef run : created) {
            if (!run.runId().equals(poisoned)) {
                batcher.submit(finished(run.runId(), 1, RunState.RUN_STATE_SUCCEEDED, 0, "ok"), sink);
            }
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 5);
        assertThat(acked).extracting(UpdateRef::getRunId).containsExactlyInAnyOrderElementsOf(
                created.stream().map(run -> run.runId().toString()).toList());
        Row bad = store.tables().run(poisoned);
        assertThat(bad.getString("state")).isEqualTo("failed");
        assertThat(bad.getString("reason")).startsWith("result could not be stored: ").contains("SQLSTATE");
        assertThat(bad.getLong("last_sequence")).isEqualTo(1);
        assertThat(bad.getString("reason")).contains("no_poison");
        assertThat(store.tables().runStates()).containsEntry("succeeded", 4L).containsEntry("failed", 1L);
        assertThat(batcher.unstorable()).isEqualTo(1);

        // Later results are not blocked behind it.
        List<RunRef> more = Await.result(store.tasks().create(UUID.randomUUID(), TaskRepositoryTest.exec(
                TaskRepositoryTest.selector("hostname~*")), "m-1")).runs();
        more.forEach(run -> batcher.submit(finished(run.runId(), 1, RunState.RUN_STATE_FAILED, 2, "x"), sink));
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 10);
        assertThat(store.tables().runStates()).containsEntry("failed", 6L);
    }

    @Test
    void onlyConnectionAndConcurrencyErrorsAreRetriedAsTheyAre() {
        assertThat(RunResultBatcher.isTransient(new IllegalStateException("Connection is closed"))).isTrue();
        assertThat(RunResultBatcher.isTransient(new PgException("deadlock detected", "ERROR", "40P01", ""))).isTrue();
        assertThat(RunResultBatcher.isTransient(new PgException("could not serialize", "ERROR", "40001", ""))).isTrue();
        assertThat(RunResultBatcher.isTransient(new PgException("terminating connection", "FATAL", "57P01", ""))).isTrue();
        assertThat(RunResultBatcher.isTransient(new PgException("invalid input syntax", "ERROR", "22P02", ""))).isFalse();
        assertThat(RunResultBatcher.isTransient(new PgException("invalid byte sequence", "ERROR", "22021", ""))).isFalse();
    }
}
