package io.muster.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskUpdate;
import io.muster.proto.v1.UpdateRef;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Journal open() throws Exception {
        return Journal.open(new FileJournalStore(dir.resolve("journal")), CLOCK);
    }

    private static TaskUpdate update(String run, long seq, RunState state) {
        return TaskUpdate.newBuilder().setRunId(run).setSequence(seq).setState(state).setStartedAtMs(1000).build();
    }

    private static UpdateRef ref(String run, long seq) {
        return UpdateRef.newBuilder().setRunId(run).setSequence(seq).build();
    }

    @Test
    void replay_afterCrashWithRunExecuting_reportsAgentRestartedExactlyOnce() throws Exception {
        Journal before = open();
        assertThat(before.begin("r1", 1000)).isTrue();
        before.record(update("r1", 1, RunState.RUN_STATE_RUNNING));
        before.record(update("r1", 2, RunState.RUN_STATE_RUNNING));
        before.acknowledge(List.of(ref("r1", 1), ref("r1", 2)));
        // No close: the process "crashed".

        Journal afterFirstRestart = open();
        List<TaskUpdate> pending = afterFirstRestart.unacknowledged();
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).getState()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(pending.get(0).getReason()).isEqualTo(Journal.AGENT_RESTARTED);
        assertThat(pending.get(0).getSequence()).isEqualTo(3);
        assertThat(pending.get(0).getFinishedAtMs()).isEqualTo(CLOCK.millis());
        assertThat(afterFirstRestart.begin("r1", 2000)).as("a failed run is never executed again").isFalse();
        afterFirstRestart.close();

        Journal afterSecondRestart = open();
        assertThat(afterSecondRestart.unacknowledged()).containsExactlyElementsOf(pending);
        afterSecondRestart.acknowledge(List.of(ref("r1", 3)));
        afterSecondRestart.close();

        Journal afterThirdRestart = open();
        assertThat(afterThirdRestart.unacknowledged()).isEmpty();
        assertThat(afterThirdRestart.finalUpdate("r1")).contains(pending.get(0));
    }

    @Test
    void begin_sameRunTwice_secondRefused_alsoAfterRestart() throws Exception {
        Journal journal = open();
        assertThat(journal.begin("r1", 1)).isTrue();
        assertThat(journal.begin("r1", 1)).isFalse();
        journal.record(update("r1", 1, RunState.RUN_STATE_SUCCEEDED));
        journal.close();

        Journal reopened = open();
        assertThat(reopened.begin("r1", 1)).isFalse();
        assertThat(reopened.finalUpdate("r1").orElseThrow().getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(reopened.unacknowledged()).extracting(TaskUpdate::getRunId).containsExactly("r1");
    }

    @Test
    void acknowledge_removesOnlyThoseUpdates_andDuplicatesAreHarmless() throws Exception {
        Journal journal = open();
        journal.begin("a", 1);
        journal.record(update("a", 1, RunState.RUN_STATE_RUNNING));
        journal.record(update("a", 2, RunState.RUN_STATE_SUCCEEDED));
        journal.acknowledge(List.of(ref("a", 1), ref("a", 1), ref("zzz", 9)));

        assertThat(journal.unacknowledged()).extracting(TaskUpdate::getSequence).containsExactly(2L);
        Journal.Entry first = journal.nextUnacknowledged(0);
        assertThat(first.update().getSequence()).isEqualTo(2);
        assertThat(journal.nextUnacknowledged(first.position())).isNull();
    }

    @Test
    void load_tornRecordAtTheEnd_isDroppedAndJournalKeepsWorking() throws Exception {
        Journal journal = open();
        journal.begin("a", 1);
        journal.record(update("a", 1, RunState.RUN_STATE_SUCCEEDED));
        journal.close();
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve("journal").toFile(), "rw")) {
            file.seek(file.length());
            file.write(new byte[] {0, 0, 0, 50, 1, 2, 3});
        }

        Journal reopened = open();
        assertThat(reopened.finalUpdate("a")).isPresent();
        reopened.begin("b", 1);
        reopened.record(update("b", 1, RunState.RUN_STATE_FAILED));
        reopened.close();
        assertThat(open().finalUpdate("b")).isPresent();
    }

    @Test
    void compaction_keepsLiveRecordsOnly_andReplaysTheSame() throws Exception {
        FileJournalStore store = new FileJournalStore(dir.resolve("journal"));
        Journal journal = Journal.open(store, CLOCK, 4096);
        for (int i = 0; i < 200; i++) {
            String run = "run-" + i;
            journal.begin(run, 1);
            journal.record(update(run, 1, RunState.RUN_STATE_RUNNING));
            journal.record(update(run, 2, RunState.RUN_STATE_SUCCEEDED));
            journal.acknowledge(List.of(ref(run, 1), ref(run, 2)));
        }
        journal.begin("live", 5);
        journal.record(update("live", 1, RunState.RUN_STATE_RUNNING));
        journal.close();

        assertThat(Files.size(dir.resolve("journal"))).isLessThan(200L * 4 * 40);
        Journal reopened = Journal.open(new FileJournalStore(dir.resolve("journal")), CLOCK, 4096);
        assertThat(reopened.finalUpdate("run-0")).isPresent();
        assertThat(reopened.finalUpdate("run-199")).isPresent();
        assertThat(reopened.unacknowledged()).extracting(TaskUpdate::getRunId, TaskUpdate::getSequence, TaskUpdate::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("live", 1L, ""),
                        org.assertj.core.groups.Tuple.tuple("live", 2L, Journal.AGENT_RESTARTED));
    }

    @Test
    void memoryStore_sameLogic_restartWithinProcess() throws Exception {
        MemoryJournalStore store = new MemoryJournalStore();
        Journal journal = Journal.open(store, CLOCK);
        journal.begin("m", 1);

        Journal restarted = Journal.open(store, CLOCK);

        assertThat(restarted.unacknowledged()).singleElement()
                .satisfies(u -> assertThat(u.getReason()).isEqualTo(Journal.AGENT_RESTARTED));
        assertThat(Journal.open(store, CLOCK).unacknowledged()).hasSize(1);
    }
}
