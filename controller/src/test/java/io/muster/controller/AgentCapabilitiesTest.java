package io.muster.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Hello;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hello.capabilities is read: a host whose agent does not list a kind's executor is refused a task
 * of that kind with a reason (its run fails at once), while the kinds it lists reach it.
 */
class AgentCapabilitiesTest {

    @TempDir
    Path temp;

    @Test
    void hostWithoutTheContainerExecutor_containerRunFailsWithTheReason_execRunIsPushed() throws Exception {
        try (TestDatabase database = TestDatabase.create();
             Controller controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("c"),
                     List.of(), 0, "127.0.0.1", "caps-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(5)));
             RawAgentStream agent = new RawAgentStream("127.0.0.1:" + controller.grpcPort())) {
            String hostId = "caps-" + UUID.randomUUID();
            Hello hello = RawAgentStream.hello(hostId).toBuilder().addCapabilities("exec").addCapabilities("config")
                    .addCapabilities("inventory-delta").build();
            agent.sendHello(hello);
            await().atMost(Duration.ofSeconds(30)).until(() -> controller.sessions().find(hostId).isPresent());
            ApiClient admin = TestTokens.adminClient(controller);
            // The session is up before the batched connect has written the host's row; a task names
            // only hosts the database knows.
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.get("/api/v1/hosts/" + hostId).status() == 200);

            String container = created(admin.post("/api/v1/tasks", task(hostId, "container",
                    new JsonObject().put("action", "pull").put("image", "busybox:latest"))));
            await().atMost(Duration.ofSeconds(30)).until(() -> run(admin, container).getString("state"), "failed"::equals);
            assertThat(run(admin, container).getString("reason"))
                    .contains("host " + hostId).contains("no 'container' executor").contains("exec");

            String exec = created(admin.post("/api/v1/tasks", task(hostId, "exec",
                    new JsonObject().put("command", new JsonArray().add("true")))));
            ControllerMessage message;
            do {
                message = agent.next(Duration.ofSeconds(30));
            } while (!message.hasTaskAssignment());
            assertThat(message.getTaskAssignment().getTaskId()).isEqualTo(exec);
            assertThat(message.getTaskAssignment().getKind()).isEqualTo("exec");
        }
    }

    private static String task(String hostId, String kind, JsonObject spec) {
        return new JsonObject().put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", kind).put("spec", spec).put("timeoutSeconds", 60).encode();
    }

    private static String created(ApiClient.Answer answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        return answer.json().getString("id");
    }

    private static JsonObject run(ApiClient admin, String taskId) {
        return admin.get("/api/v1/tasks/" + taskId + "/runs").json().getJsonArray("items").getJsonObject(0);
    }
}
