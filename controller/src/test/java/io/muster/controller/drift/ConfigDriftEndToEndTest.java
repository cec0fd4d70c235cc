package io.muster.controller.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.task.config.ConfigExecutor;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config drift end to end: a real controller on PostgreSQL, a real agent applying a real config
 * task to files in a temp dir, a hand edit, and the host's event history over the HTTP API.
 */
class ConfigDriftEndToEndTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static final Duration DRIFT_INTERVAL = Duration.ofMillis(200);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private TestDatabase database;
    private Controller controller;
    private ApiClient api;
    private Agent agent;

    @BeforeEach
    void startController() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(),
                0, "127.0.0.1", "drift-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT));
        api = TestTokens.adminClient(controller);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        controller.close();
        database.close();
    }

    private Agent startAgent(Path dataDir) {
        AgentConfig config = new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir, HEARTBEAT,
                Duration.ofSeconds(1), null, null, null).withDriftInterval(DRIFT_INTERVAL);
        Agent started = new Agent(config, List.of(new ConfigExecutor()), null).start();
        await().atMost(DEADLINE).until(() -> started.session().isConnected());
        return started;
    }

    @Test
    void aHandEditIsReportedOnceAndItsRepairToo() throws Exception {
        Path motd = temp.resolve("etc").resolve("motd");
        Files.createDirectories(motd.getParent());
        agent = startAgent(temp.resolve("agent"));
        String hostId = agent.hostId();

        String taskId = createConfigTask(hostId, motd, "welcome to muster\n");
        await().atMost(DEADLINE).until(() -> "succeeded".equals(task(taskId).getString("state")));
        assertThat(Files.readString(motd)).isEqualTo("welcome to muster\n");

        // Applied and untouched: several checks pass without a drift event.
        await().during(Duration.ofMillis(800)).atMost(DEADLINE).until(() -> driftEvents(hostId).isEmpty());

        Files.writeString(motd, "edited by hand\n", StandardCharsets.UTF_8);
        await().atMost(DEADLINE).until(() -> driftEvents(hostId).size() == 1);
        JsonObject event = driftEvents(hostId).get(0);
        assertThat(event.getString("message")).contains(motd.toString()).contains("changed by hand");
        assertThat(event.getString("actor")).isEqualTo("agent");
        JsonObject detail = event.getJsonObject("detail");
        assertThat(detail.getString("eventId")).startsWith("drift-");
        assertThat(detail.getBoolean("resolved")).isFalse();
        JsonArray drifts = detail.getJsonArray("drifts");
        assertThat(drifts).hasSize(1);
        JsonObject drift = drifts.getJsonObject(0);
        assertThat(drift.getString("path")).isEqualTo(motd.toString());
        assertThat(drift.getString("resource")).isEqualTo("file");
        assertThat(drift.getString("diff")).contains("-welcome to muster").contains("+edited by hand");

        // The drift lasts through many checks and an agent restart: still one event.
        await().during(Duration.ofMillis(1_000)).atMost(DEADLINE).until(() -> driftEvents(hostId).size() == 1);
        agent.close();
        agent = startAgent(temp.resolve("agent"));
        assertThat(agent.hostId()).isEqualTo(hostId);
        await().during(Duration.ofMillis(1_000)).atMost(DEADLINE).until(() -> driftEvents(hostId).size() == 1);

        // Put back by hand: the drift went away, which is one more event.
        Files.writeString(motd, "welcome to muster\n", StandardCharsets.UTF_8);
        await().atMost(DEADLINE).until(() -> driftEvents(hostId).size() == 2);
        JsonObject resolved = newest(driftEvents(hostId), detail.getString("eventId"));
        assertThat(resolved.getString("message")).contains("resolved");
        assertThat(resolved.getJsonObject("detail").getBoolean("resolved")).isTrue();
        assertThat(resolved.getJsonObject("detail").getJsonArray("drifts")).isEmpty();

        // The same edit again is a new drift (not deduplicated against the first one).
        Files.writeString(motd, "edited by hand\n", StandardCharsets.UTF_8);
        await().atMost(DEADLINE).until(() -> driftEvents(hostId).size() == 3);
        await().during(Duration.ofMillis(800)).atMost(DEADLINE).until(() -> driftEvents(hostId).size() == 3);
    }

    @Test
    void aDriftWhileTheControllerIsAwayArrivesAfterTheReconnect() throws Exception {
        Path motd = temp.resolve("motd");
        agent = startAgent(temp.resolve("agent"));
        String hostId = agent.hostId();
        String taskId = createConfigTask(hostId, motd, "first\n");
        await().atMost(DEADLINE).until(() -> "succeeded".equals(task(taskId).getString("state")));

        // The controller goes away; the agent notices the drift while nobody listens.
        int grpcPort = controller.grpcPort();
        Path controllerData = temp.resolve("controller");
        controller.close();
        await().atMost(DEADLINE).until(() -> !agent.session().isConnected());
        Files.delete(motd);
        Path agentState = temp.resolve("agent").resolve("drift").resolve("state");
        // The first report is made and kept (header "1 <digest>", then the event) for the next Welcome.
        await().atMost(DEADLINE).until(() -> Files.exists(agentState)
                && new String(Files.readAllBytes(agentState), StandardCharsets.ISO_8859_1).startsWith("1 ")
                && new String(Files.readAllBytes(agentState), StandardCharsets.ISO_8859_1).contains(motd.toString()));

        controller = Controller.start(new ControllerConfig(database.url(), grpcPort, 0, controllerData, List.of(),
                0, "127.0.0.1", "drift-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT));
        api = TestTokens.adminClient(controller);
        await().atMost(DEADLINE).until(() -> driftEvents(hostId).size() == 1);
        JsonObject event = driftEvents(hostId).get(0);
        assertThat(event.getString("message")).isEqualTo("config drift: " + motd + " deleted by hand");
        assertThat(event.getJsonObject("detail").getJsonArray("drifts").getJsonObject(0).getString("description"))
                .isEqualTo("deleted");
        await().during(Duration.ofMillis(800)).atMost(DEADLINE).until(() -> driftEvents(hostId).size() == 1);
    }

    private String createConfigTask(String hostId, Path file, String content) {
        JsonObject request = new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "config")
                .put("spec", new JsonObject().put("resources", new JsonArray().add(new JsonObject()
                        .put("type", "file").put("path", file.toString()).put("content", content).put("mode", "0644"))))
                .put("timeoutSeconds", 30);
        ApiClient.Answer answer = api.post("/api/v1/tasks", request.encode());
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        return new JsonObject(answer.body()).getString("id");
    }

    private JsonObject task(String id) {
        return new JsonObject(api.get("/api/v1/tasks/" + id).body());
    }

    private List<JsonObject> driftEvents(String hostId) {
        ApiClient.Answer answer = api.get("/api/v1/hosts/" + hostId + "/events?limit=100");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        List<JsonObject> drifts = new ArrayList<>();
        for (Object item : new JsonObject(answer.body()).getJsonArray("items")) {
            JsonObject event = (JsonObject) item;
            if ("drift".equals(event.getString("kind"))) {
                drifts.add(event);
            }
        }
        return drifts;
    }

    private static JsonObject newest(List<JsonObject> events, String notId) {
        return events.stream()
                .filter(e -> !notId.equals(e.getJsonObject("detail").getString("eventId")))
                .filter(e -> e.getJsonObject("detail").getBoolean("resolved"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no resolved drift event in " + events));
    }
}
