package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.access.ScopeGuard;
import io.muster.controller.store.Await;
import io.muster.scheduler.selector.Selector;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A scoped token keeps seeing the tasks it created although their hosts left its scope, from the
 * task's own creator column: the audit log (asynchronous, allowed to drop events) plays no part.
 * Real PostgreSQL.
 */
class TaskCreatorVisibilityTest {

    @RegisterExtension
    static final TaskStore store = new TaskStore("tasks", "hosts", "audit_events");

    private static final Selector WEB_ONLY = Selector.parse("role=web");

    private static ScopeGuard guard;

    @BeforeAll
    static void open() {
        guard = new ScopeGuard(store.database().pool());
    }

    @Test
    void theCreatorIsStoredWithTheTaskAndKeepsItVisibleWithoutAnyAuditEvent() {
        store.tables().hosts("h", 4);
        UUID mine = Await.result(store.tasks().create(UUID.randomUUID(), TaskRepositoryTest.exec(
                TaskRepositoryTest.selector("role=web")).createdBy(new TaskCreator("token-a", "ops team")), "m-1")).taskId();
        UUID controllers = Await.result(store.tasks().create(UUID.randomUUID(), TaskRepositoryTest.exec(
                TaskRepositoryTest.selector("role=web")), "m-1")).taskId();

        Row stored = Await.result(store.database().pool().preparedQuery("SELECT created_by_token, created_by FROM tasks WHERE id = $1")
                .execute(Tuple.of(mine))).iterator().next();
        assertThat(stored.getString("created_by_token")).isEqualTo("token-a");
        assertThat(stored.getString("created_by")).isEqualTo("ops team");

        // The hosts leave the scope: only the creator still sees the task, and nothing is in the audit log.
        store.testDatabase().execute("UPDATE hosts SET labels = '{\"role\":\"db\"}'");
        assertThat(store.tables().count("SELECT count(*) FROM audit_events")).isZero();
        assertThat(Await.result(guard.taskVisible(mine, WEB_ONLY, "token-a"))).isTrue();
        assertThat(Await.result(guard.taskVisible(mine, WEB_ONLY, "token-b"))).isFalse();
        assertThat(Await.result(guard.taskVisible(controllers, WEB_ONLY, "token-a"))).isFalse();

        // Listings follow the same rule.
        List<TaskView> listed = Await.result(store.tasks().list(10, null, ScopeGuard.visibleTasks(WEB_ONLY, "token-a", 4))).items();
        assertThat(listed).extracting(TaskView::id).containsExactly(mine);
        assertThat(Await.result(store.tasks().list(10, null, ScopeGuard.visibleTasks(WEB_ONLY, "token-b", 4))).items()).isEmpty();
    }

    @Test
    void anAuditEventAloneNoLongerMakesATaskVisible() {
        store.tables().hosts("h", 2);
        UUID task = Await.result(store.tasks().create(UUID.randomUUID(), TaskRepositoryTest.exec(
                TaskRepositoryTest.selector("role=db")), "m-1")).taskId();
        store.testDatabase().execute("INSERT INTO audit_events (at, actor_id, actor_name, action, target, outcome) VALUES "
                + "(now(), 'token-c', 'c', 'POST /api/v1/tasks', 'task:" + task + "', 201)");
        assertThat(Await.result(guard.taskVisible(task, WEB_ONLY, "token-c"))).isFalse();
    }
}
