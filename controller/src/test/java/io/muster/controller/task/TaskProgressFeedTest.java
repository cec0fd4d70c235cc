package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.controller.store.Await;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many watchers of a task share one poller: one count query at a time, none once nobody watches. Real PostgreSQL. */
class TaskProgressFeedTest {

    @RegisterExtension
    static final TaskStore store = new TaskStore("tasks", "hosts");

    private static final Duration DEADLINE = Duration.ofSeconds(20);


    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private TaskProgressFeed feed;

    @BeforeEach
    void empty() {
        feed = new TaskProgressFeed(store.vertx(), this::countedProgress, Duration.ofMillis(50), Duration.ofMillis(200));
    }

    private Future<Optional<TaskProgress>> countedProgress(UUID taskId) {
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        return store.tasks().progress(taskId).onComplete(ar -> inFlight.decrementAndGet());
    }

    /** A watcher that records what it got. */
    private static final class Recorder implements TaskProgressFeed.Watcher {
        final List<TaskProgress> seen = new CopyOnWriteArrayList<>();
        final AtomicBoolean missing = new AtomicBoolean();

        @Override
        public void progress(TaskProgress progress) {
            seen.add(progress);
        }

        @Override
        public void missing() {
            missing.set(true);
        }

        boolean done() {
            return !seen.isEmpty() && seen.get(seen.size() - 1).state().terminal();
        }
    }

    @Test
    void fiftyWatchersShareOnePollerThatStopsWhenTheTaskIsDone() {
        store.tables().hosts("h", 3);
        UUID taskId = Await.result(store.tasks().create(UUID.randomUUID(), TaskRepositoryTest.exec(
                TaskRepositoryTest.selector("hostname~*")), "m-1")).taskId();
        List<Recorder> watchers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Recorder recorder = new Recorder();
            watchers.add(recorder);
            feed.watch(taskId, recorder);
        }
        await().atMost(DEADLINE).until(() -> watchers.stream().allMatch(w -> !w.seen.isEmpty()));
        assertThat(feed.watchedTasks()).isEqualTo(1);
        assertThat(watchers.get(0).seen.get(0).counts().get(RunStatus.PENDING)).isEqualTo(3);

        // Results written (here, by another member straight into the table) and this member told.
        store.testDatabase().execute("UPDATE runs SET state = 'succeeded', recorded_at = now()");
        feed.changed(List.of(taskId));
        await().atMost(DEADLINE).until(() -> watchers.stream().allMatch(Recorder::done));

        TaskProgress last = watchers.get(49).seen.get(watchers.get(49).seen.size() - 1);
        assertThat(last.counts().get(RunStatus.SUCCEEDED)).isEqualTo(3);
        assertThat(feed.watchedTasks()).isZero();
        assertThat(mostInFlight.get()).isEqualTo(1);
        // Fifty watchers polling on their own would have cost fifty queries per look.
        long queries = feed.queries();
        assertThat(queries).isLessThan(50);
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> feed.queries() == queries);
    }

    @Test
    void theLastWatcherLeavingStopsThePoller_andALateWatcherGetsTheLatestCountsAtOnce() {
        store.tables().hosts("h", 2);
        UUID taskId = Await.result(store.tasks().create(UUID.randomUUID(), TaskRepositoryTest.exec(
                TaskRepositoryTest.selector("hostname~*")), "m-1")).taskId();
        Recorder first = new Recorder();
        TaskProgressFeed.Watching one = feed.watch(taskId, first);
        await().atMost(DEADLINE).until(() -> !first.seen.isEmpty());
        Recorder late = new Recorder();
        TaskProgressFeed.Watching two = feed.watch(taskId, late);
        await().atMost(DEADLINE).until(() -> !late.seen.isEmpty());
        assertThat(late.seen.get(0)).isEqualTo(first.seen.get(0));

        one.close();
        assertThat(feed.watchedTasks()).isEqualTo(1);
        two.close();
        two.close();
        assertThat(feed.watchedTasks()).isZero();
        long queries = feed.queries();
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(() -> feed.queries() == queries);
    }

    @Test
    void anUnknownTaskIsReportedMissing() {
        Recorder recorder = new Recorder();
        feed.watch(UUID.randomUUID(), recorder);
        await().atMost(DEADLINE).untilTrue(recorder.missing);
        assertThat(recorder.seen).isEmpty();
        assertThat(feed.watchedTasks()).isZero();
    }
}
