package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.store.Await;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TaskRepositoryTest {

    @RegisterExtension
    static final TaskStore store = new TaskStore("tasks", "hosts");


    static TaskRequest exec(TaskTarget target) {
        return new TaskRequest(target, TaskKind.EXEC, new JsonObject().put("command", new JsonArray().add("true")), 60,
                false);
    }

    static TaskTarget selector(String text) {
        return new TaskTarget.BySelector(Selector.parse(text));
    }

    @Test
    void selectorTaskHasOneRunPerMatchingHost() {
        store.tables().hosts("h", 101);
        CreatedTask created = Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("role=web")), "m-1"));

        assertThat(created.runs()).hasSize(51);
        assertThat(created.runs()).extracting(RunRef::hostId).doesNotHaveDuplicates();
        TaskView view = Await.result(store.tasks().find(created.taskId())).orElseThrow();
        assertThat(view.total()).isEqualTo(51);
        assertThat(view.counts().get(RunStatus.PENDING)).isEqualTo(51);
        assertThat(view.state()).isEqualTo(TaskState.PENDING);
        assertThat(view.target().getString("selector")).isEqualTo("role=web");
        assertThat(store.tables().count("SELECT count(*) FROM runs r JOIN hosts h ON h.id = r.host_id "
                + "WHERE h.labels->>'role' <> 'web'")).isZero();
    }

    @Test
    void selectorMatchingNoHostWritesNothing() {
        store.tables().hosts("h", 10);
        Throwable failure = Await.failure(store.tasks().create(UUID.randomUUID(), exec(selector("role=cache")), "m-1"));
        assertThat(failure).isInstanceOf(InvalidTaskRequestException.class)
                .hasMessage("the selector 'role=cache' matches no host");
        assertThat(store.tables().tasks()).isZero();
        assertThat(store.tables().runs()).isZero();
    }

    @Test
    void unknownExplicitHostsWriteNothingAndAreNamed() {
        store.tables().hosts("h", 3);
        TaskTarget target = new TaskTarget.ByHosts(List.of("h-0", "nope-1", "h-2", "nope-2"));
        Throwable failure = Await.failure(store.tasks().create(UUID.randomUUID(), exec(target), "m-1"));
        assertThat(failure).isInstanceOf(InvalidTaskRequestException.class)
                .hasMessage("2 of the target hosts are not known: nope-1, nope-2");
        assertThat(store.tables().tasks()).isZero();
        assertThat(store.tables().runs()).isZero();

        CreatedTask created = Await.result(store.tasks().create(UUID.randomUUID(),
                exec(new TaskTarget.ByHosts(List.of("h-0", "h-2"))), "m-1"));
        assertThat(created.runs()).extracting(RunRef::hostId).containsExactlyInAnyOrder("h-0", "h-2");
    }

    @Test
    void tasksAreListedNewestFirstWithoutGapsAcrossPages() {
        store.tables().hosts("h", 2);
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("role=web")), "m-1")).taskId());
        }
        List<UUID> listed = new ArrayList<>();
        String cursor = null;
        do {
            Page<TaskView> page = Await.result(store.tasks().list(3, cursor));
            page.items().forEach(task -> listed.add(task.id()));
            cursor = page.next();
        } while (cursor != null);
        List<UUID> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);
        assertThat(listed).containsExactlyElementsOf(newestFirst);
        assertThat(Await.failure(store.tasks().list(3, "garbage!"))).isInstanceOf(InvalidTaskRequestException.class);
    }

    @Test
    void runsArePagedByHostAndFilteredByState() {
        store.tables().hosts("h", 25);
        CreatedTask created = Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("hostname~host-*")), "m-1"));
        store.testDatabase().execute("UPDATE runs SET state = 'running' WHERE host_id IN ('h-1', 'h-2')");

        Set<String> hosts = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<RunView> page = Await.result(store.tasks().runs(created.taskId(), null, 10, cursor));
            page.items().forEach(run -> assertThat(hosts.add(run.hostId())).isTrue());
            cursor = page.next();
            pages++;
        } while (cursor != null);
        assertThat(hosts).hasSize(25);
        assertThat(pages).isEqualTo(3);

        Page<RunView> running = Await.result(store.tasks().runs(created.taskId(), RunStatus.RUNNING, 10, null));
        assertThat(running.items()).extracting(RunView::hostId).containsExactly("h-1", "h-2");
        assertThat(running.next()).isNull();
        assertThat(Await.failure(store.tasks().runs(UUID.randomUUID(), null, 10, null)))
                .isInstanceOf(TaskNotFoundException.class);
    }

    @Test
    void cancelEndsPendingRunsAndReportsRunningOnes() {
        store.tables().hosts("h", 6);
        CreatedTask created = Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("hostname~*")), "m-1"));
        store.testDatabase().execute("UPDATE runs SET state = 'running', running_since = now() WHERE host_id = 'h-1'");
        store.testDatabase().execute("UPDATE runs SET state = 'succeeded' WHERE host_id = 'h-2'");

        CancelledTask cancelled = Await.result(store.tasks().cancel(created.taskId()));
        assertThat(cancelled.cancelledPending()).hasSize(4);
        assertThat(cancelled.running()).extracting(RunRef::hostId).containsExactly("h-1");
        TaskView view = Await.result(store.tasks().find(created.taskId())).orElseThrow();
        assertThat(view.counts().get(RunStatus.CANCELLED)).isEqualTo(4);
        assertThat(view.state()).isEqualTo(TaskState.CANCELLING);

        store.testDatabase().execute("UPDATE runs SET state = 'cancelled' WHERE host_id = 'h-1'");
        assertThat(Await.result(store.tasks().progress(created.taskId())).orElseThrow().state()).isEqualTo(TaskState.CANCELLED);
        assertThat(Await.failure(store.tasks().cancel(UUID.randomUUID()))).isInstanceOf(TaskNotFoundException.class);
    }

    @Test
    void openRunsOfConnectingHostsIncludeRunningAndCancelledFlags() {
        store.tables().hosts("h", 4);
        CreatedTask first = Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("hostname~*")), "m-1"));
        CreatedTask second = Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("hostname~*")), "m-1"));
        store.testDatabase().execute("UPDATE runs SET state = 'running' WHERE host_id = 'h-0' AND task_id = '"
                + first.taskId() + "'");
        store.testDatabase().execute("UPDATE runs SET state = 'succeeded' WHERE host_id = 'h-1'");
        store.testDatabase().execute("UPDATE tasks SET cancelled_at = now() WHERE id = '" + second.taskId() + "'");

        List<OpenRun> open = Await.result(store.tasks().openRuns(List.of("h-0", "h-1")));
        assertThat(open).hasSize(2);
        OpenRun running = open.get(0);
        assertThat(running.run().hostId()).isEqualTo("h-0");
        assertThat(running.state()).isEqualTo(RunStatus.RUNNING);
        assertThat(running.cancelled()).isFalse();
        assertThat(running.task().kind()).isEqualTo("exec");
        assertThat(new JsonObject(running.task().specJson()).getJsonArray("command").getString(0)).isEqualTo("true");
        assertThat(open.get(1).task().taskId()).isEqualTo(second.taskId());
        assertThat(open.get(1).cancelled()).isTrue();
    }

    @Test
    void sweeperEndsRunsOfHostsOfflinePastTheDeadlineOnly() {
        store.tables().hosts("h", 3);
        CreatedTask created = Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("hostname~*")), "m-1"));
        store.testDatabase().execute("UPDATE runs SET created_at = now() - interval '1 hour'");
        store.testDatabase().execute("UPDATE hosts SET state = 'offline', last_seen = now() - interval '10 minutes' "
                + "WHERE id = 'h-0'");
        store.testDatabase().execute("UPDATE hosts SET state = 'offline', last_seen = now() - interval '1 minute' "
                + "WHERE id = 'h-1'");

        assertThat(Await.result(store.tasks().sweepHostLost(Duration.ofMinutes(5)))).isEqualTo(1);
        assertThat(Await.result(store.tasks().sweepHostLost(Duration.ofMinutes(5)))).isZero();
        Page<RunView> lost = Await.result(store.tasks().runs(created.taskId(), RunStatus.HOST_LOST, 10, null));
        assertThat(lost.items()).extracting(RunView::hostId).containsExactly("h-0");
        assertThat(lost.items().get(0).reason()).isEqualTo("host offline for more than 300 seconds");

        // A host that was already away when the task came still gets the whole deadline.
        CreatedTask fresh = Await.result(store.tasks().create(UUID.randomUUID(), exec(new TaskTarget.ByHosts(List.of("h-0"))),
                "m-1"));
        assertThat(Await.result(store.tasks().sweepHostLost(Duration.ofMinutes(5)))).isZero();
        assertThat(Await.result(store.tasks().find(fresh.taskId())).orElseThrow().state()).isEqualTo(TaskState.PENDING);
    }

    /**
     * A cut-off domain's hosts come back, all but one: the straggler is part of the same partition
     * and gets the sweep's deadline counted from the restoration, not from the cut long ago.
     */
    @Test
    void sweeperGivesAPartitionsStragglerTheDeadlineFromTheRestoration() {
        store.testDatabase().execute("DELETE FROM partitioned_domains");
        store.tables().hosts("d", 4);
        store.testDatabase().execute("UPDATE hosts SET labels = '{\"dc\": \"ldn1\"}'::jsonb WHERE id LIKE 'd-%'");
        CreatedTask created = Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("dc=ldn1")), "m-1"));
        store.testDatabase().execute("UPDATE runs SET created_at = now() - interval '1 hour'");
        store.testDatabase().execute("UPDATE hosts SET state = 'offline', last_seen = now() - interval '10 minutes' "
                + "WHERE id LIKE 'd-%'");
        Duration deadline = Duration.ofMinutes(5);

        assertThat(Await.result(store.tasks().checkDomains(3, 0.5, deadline))).containsExactly("fleet.domain_partitioned dc=ldn1");
        assertThat(Await.result(store.tasks().sweepHostLost(deadline))).isZero();

        store.testDatabase().execute("UPDATE hosts SET state = 'online', last_seen = now() WHERE id IN ('d-0', 'd-1', 'd-2')");
        assertThat(Await.result(store.tasks().checkDomains(3, 0.5, deadline))).containsExactly("fleet.domain_restored dc=ldn1");
        assertThat(Await.result(store.tasks().sweepHostLost(deadline))).as("d-3 has 5 minutes from the restoration").isZero();
        assertThat(Await.result(store.tasks().checkDomains(3, 0.5, deadline))).as("no second event").isEmpty();

        store.testDatabase().execute("UPDATE partitioned_domains SET restored_at = now() - interval '6 minutes'");
        assertThat(Await.result(store.tasks().sweepHostLost(deadline))).isEqualTo(1);
        Page<RunView> lost = Await.result(store.tasks().runs(created.taskId(), RunStatus.HOST_LOST, 10, null));
        assertThat(lost.items()).extracting(RunView::hostId).containsExactly("d-3");
        assertThat(Await.result(store.tasks().checkDomains(3, 0.5, deadline))).isEmpty();
        assertThat(store.testDatabase().count("SELECT count(*) FROM partitioned_domains")).as("forgotten").isZero();
    }

    @Test
    void sweeperTimesOutRunsSilentPastTimeoutAndGrace() {
        store.tables().hosts("h", 2);
        CreatedTask created = Await.result(store.tasks().create(UUID.randomUUID(), exec(selector("hostname~*")), "m-1"));
        store.testDatabase().execute("UPDATE runs SET state = 'running', running_since = now() - interval '100 seconds' "
                + "WHERE host_id = 'h-0'");
        store.testDatabase().execute("UPDATE runs SET state = 'running', running_since = now() - interval '50 seconds' "
                + "WHERE host_id = 'h-1'");

        assertThat(Await.result(store.tasks().sweepTimedOut(Duration.ofSeconds(30)))).isEqualTo(1);
        TaskView view = Await.result(store.tasks().find(created.taskId())).orElseThrow();
        assertThat(view.counts().get(RunStatus.TIMED_OUT)).isEqualTo(1);
        assertThat(view.counts().get(RunStatus.RUNNING)).isEqualTo(1);
    }
}
