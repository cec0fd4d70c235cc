package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.api.ApiClient;
import io.muster.controller.access.Role;
import io.muster.controller.auth.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over the real REST API: the token that created a task keeps reading it after its hosts left the
 * token's scope, with nothing in the audit log; another token of the same scope does not.
 */
class TaskCreatorApiTest {

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;

    @BeforeAll
    static void start() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(),
                0, "127.0.0.1", "creator-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofMillis(300)));
        database.execute("INSERT INTO hosts (id, hostname, labels, facts, state) VALUES "
                + "('c-1', 'c-1', '{\"muster.io/team\":\"pay\"}', '{\"hostname\":\"c-1\"}', 'offline')");
    }

    @AfterAll
    static void stop() {
        controller.close();
        database.close();
    }

    @Test
    void theCreatingTokenStillReadsItsTaskWhenTheAuditLogHasNothing() {
        ApiClient creator = TestTokens.client(controller, TestTokens.create(controller, "pay ops", Role.OPERATOR, "muster.io/team=pay"));
        ApiClient colleague = TestTokens.client(controller, TestTokens.create(controller, "pay ops 2", Role.OPERATOR,
                "muster.io/team=pay"));
        ApiClient.Answer created = creator.post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add("c-1")))
                .put("kind", "exec").put("spec", new JsonObject().put("shell", "true")).encode());
        assertThat(created.status()).isEqualTo(201);
        String taskId = new JsonObject(created.body()).getString("id");

        // The host leaves the scope, and the audit log loses the creation event (written, then gone).
        database.execute("UPDATE hosts SET labels = '{\"muster.io/team\":\"other\"}' WHERE id = 'c-1'");
        ApiClient admin = TestTokens.adminClient(controller);
        await().atMost(Duration.ofSeconds(10)).until(() -> admin.get("/api/v1/audit").body().contains("task:" + taskId));
        database.execute("DELETE FROM audit_events");

        assertThat(creator.get("/api/v1/tasks/" + taskId).status()).isEqualTo(200);
        assertThat(new JsonObject(creator.get("/api/v1/tasks").body()).getJsonArray("items").stream()
                .map(item -> ((JsonObject) item).getString("id"))).containsExactly(taskId);
        assertThat(colleague.get("/api/v1/tasks/" + taskId).status()).isEqualTo(404);
        assertThat(new JsonObject(colleague.get("/api/v1/tasks").body()).getJsonArray("items")).isEmpty();
    }
}
