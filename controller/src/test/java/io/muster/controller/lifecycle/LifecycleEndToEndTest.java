package io.muster.controller.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.task.lifecycle.LifecycleExecutor;
import io.muster.agent.upgrade.BuildDownload;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.auth.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle through the HTTP API with a real controller, PostgreSQL and a real agent over loopback. */
class LifecycleEndToEndTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    private TestDatabase database;
    private Controller controller;
    private Agent agent;
    private LifecycleExecutor executor;
    private String token;

    @AfterEach
    void stop() {
        stopAgent();
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private void stopAgent() {
        if (agent != null) {
            agent.close();
            executor.close();
            agent = null;
        }
    }

    private Agent startAgent(Path dataDir, Path bootId, Path marker) {
        AgentConfig config = new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir, HEARTBEAT,
                Duration.ofMillis(500), bootId, List.of("sh", "-c", "echo reboot-called >> " + marker), null);
        executor = new LifecycleExecutor(dataDir, null, config.rebootCommand(), bootId, Agent.VERSION, null,
                new BuildDownload());
        agent = new Agent(config, List.of(executor), null).start();
        return agent;
    }

    private void startController() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "test-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT));
        token = TestTokens.admin(controller);
    }

    @Test
    void lifecycle_cordonDrainUncordon_rebootWithNewBootId_decommissionRefusesTheAgent() throws Exception {
        startController();
        Path dataDir = temp.resolve("agent");
        Path bootId = temp.resolve("boot_id");
        Path marker = temp.resolve("reboot-marker");
        Files.writeString(bootId, "boot-1\n");
        String host = startAgent(dataDir, bootId, marker).hostId();
        await().atMost(DEADLINE).until(() -> agent.session().isConnected());

        // Bad input and illegal transitions: 4xx problems, state unchanged.
        assertProblem(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"explode\"}"), 400, "unknown action");
        assertProblem(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"cordon\",\"force\":true}"), 400, "force");
        assertProblem(post("/api/v1/hosts/" + host + "/lifecycle", "not json"), 400, "JSON");
        assertProblem(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"drain\",\"graceSeconds\":-1}"), 400, "graceSeconds");
        assertProblem(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"upgrade-agent\",\"version\":\"9.9\"}"), 400, "9.9");
        assertProblem(post("/api/v1/hosts/nope/lifecycle", "{\"action\":\"cordon\"}"), 404, "nope");
        HttpResponse<String> illegal = post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"uncordon\"}");
        assertProblem(illegal, 409, "uncordon is not allowed");
        assertThat(new JsonObject(illegal.body()).getString("lifecycle")).isEqualTo("ready");

        // Cordon: 200, no new work reaches the host, event recorded with who.
        HttpResponse<String> cordon = post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"cordon\"}");
        assertThat(cordon.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(cordon.body()).getString("lifecycle")).isEqualTo("cordoned");
        assertProblem(post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(host))).put("kind", "exec")
                .put("spec", new JsonObject().put("command", new JsonArray().add("true"))).encode()), 400, "not ready");
        assertThat(get("/api/v1/hosts/" + host + "/events").body()).contains("cordon: ready -> cordoned", "token:test admin");

        // Drain: 202 with the run; the agent stops its (here: no) managed containers; then maintenance.
        JsonObject drain = new JsonObject(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"drain\"}").body());
        assertThat(drain.getString("lifecycle")).isEqualTo("draining");
        assertThat(drain.getString("runId")).isNotBlank();
        HttpResponse<String> busy = post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"reboot\"}");
        assertProblem(busy, 409, "busy with drain");
        assertThat(new JsonObject(busy.body()).getString("lifecycle")).isEqualTo("draining");
        await().atMost(DEADLINE).until(() -> lifecycle(host).equals("maintenance"));
        assertThat(runState(drain.getString("taskId"))).isEqualTo("succeeded");
        assertThat(get("/api/v1/hosts/" + host + "/events").body()).contains("drain succeeded: draining -> maintenance");

        // Reboot: the command runs, the agent comes back with a new boot id, the run succeeds.
        JsonObject reboot = new JsonObject(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"reboot\"}").body());
        assertThat(reboot.getString("lifecycle")).isEqualTo("maintenance");
        await().atMost(DEADLINE).until(() -> Files.exists(marker));
        // A run reports RUNNING on the agent's first flush (500 ms), not when its command starts.
        await().atMost(DEADLINE).until(() -> runState(reboot.getString("taskId")).equals("running"));
        stopAgent();
        Files.writeString(bootId, "boot-2\n");
        startAgent(dataDir, bootId, marker);
        await().atMost(DEADLINE).until(() -> runState(reboot.getString("taskId")).equals("succeeded"));
        assertThat(Files.readAllLines(marker)).containsExactly("reboot-called");
        assertThat(lifecycle(host)).isEqualTo("maintenance");
        // The operation closes on the next lifecycle sweep; until then the host is busy with it.
        await().atMost(DEADLINE).until(() -> get("/api/v1/hosts/" + host + "/events").body().contains("reboot succeeded"));

        // Uncordon returns it to ready, where it takes work again.
        assertThat(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"uncordon\"}").statusCode()).isEqualTo(200);
        assertThat(lifecycle(host)).isEqualTo("ready");

        // Decommission: work, then decommissioned; the agent is refused for good on its next connect.
        JsonObject decommission = new JsonObject(post("/api/v1/hosts/" + host + "/lifecycle",
                "{\"action\":\"decommission\",\"removeConfigFiles\":true}").body());
        await().atMost(DEADLINE).until(() -> lifecycle(host).equals("decommissioned"));
        assertThat(runState(decommission.getString("taskId"))).isEqualTo("succeeded");
        assertProblem(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"uncordon\"}"), 409, "decommissioned");
        stopAgent();
        startAgent(dataDir, bootId, marker);
        await().atMost(DEADLINE).until(() -> agent.session().refusal() != null);
        assertThat(agent.session().refusal()).contains("PERMISSION_DENIED");
        assertThat(agent.session().isConnected()).isFalse();
    }

    @Test
    void reboot_withoutNewBootId_failsWithTheTruth() throws Exception {
        startController();
        Path dataDir = temp.resolve("agent");
        Path bootId = temp.resolve("boot_id");
        Path marker = temp.resolve("reboot-marker");
        Files.writeString(bootId, "boot-1\n");
        String host = startAgent(dataDir, bootId, marker).hostId();
        await().atMost(DEADLINE).until(() -> agent.session().isConnected());
        JsonObject reboot = new JsonObject(post("/api/v1/hosts/" + host + "/lifecycle", "{\"action\":\"reboot\"}").body());
        await().atMost(DEADLINE).until(() -> Files.exists(marker));
        stopAgent();
        startAgent(dataDir, bootId, marker);
        await().atMost(DEADLINE).until(() -> runState(reboot.getString("taskId")).equals("failed"));
        assertThat(get("/api/v1/tasks/" + reboot.getString("taskId") + "/runs").body()).contains("boot id unchanged");
        await().atMost(DEADLINE).until(() -> get("/api/v1/hosts/" + host + "/events").body().contains("reboot failed"));
    }

    @Test
    void artifacts_uploadThenDownloadByDigest_andAgentBuildVersions() throws Exception {
        startController();
        byte[] image = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(image);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        HttpResponse<String> uploaded = HTTP.send(request(uri("/api/v1/images"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).isEqualTo(201);
        assertThat(new JsonObject(uploaded.body()).getString("digest")).isEqualTo("sha256:" + sha);
        HttpResponse<String> again = HTTP.send(request(uri("/api/v1/images"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(200);
        HttpResponse<byte[]> download = HTTP.send(request(uri("/api/v1/images/sha256:" + sha)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(image);
        assertThat(download.headers().firstValue("X-Muster-Sha256")).contains(sha);
        assertThat(get("/api/v1/images/sha256:" + "0".repeat(64)).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/images/latest").statusCode()).isEqualTo(400);
        assertProblem(HTTP.send(request(uri("/api/v1/images?sha256=" + "1".repeat(64)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(image)).build(), HttpResponse.BodyHandlers.ofString()), 400, "SHA-256");

        byte[] build = "not really a jar".getBytes();
        assertThat(HTTP.send(request(uri("/api/v1/agent-builds?version=2.0.0"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(build)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(201);
        assertProblem(HTTP.send(request(uri("/api/v1/agent-builds?version=2.0.0"))
                .POST(HttpRequest.BodyPublishers.ofByteArray("other".getBytes())).build(),
                HttpResponse.BodyHandlers.ofString()), 409, "2.0.0");
        assertProblem(HTTP.send(request(uri("/api/v1/agent-builds"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(build)).build(), HttpResponse.BodyHandlers.ofString()), 400, "version");
        JsonObject meta = new JsonObject(get("/api/v1/agent-builds/2.0.0").body());
        assertThat(meta.getLong("sizeBytes")).isEqualTo(build.length);
        assertThat(get("/api/v1/agent-builds/2.0.0/download").body()).isEqualTo("not really a jar");
        assertThat(get("/api/v1/agent-builds/3.0.0").statusCode()).isEqualTo(404);
    }

    private String lifecycle(String host) throws Exception {
        return new JsonObject(get("/api/v1/hosts/" + host).body()).getString("lifecycle");
    }

    private String runState(String taskId) throws Exception {
        return new JsonObject(get("/api/v1/tasks/" + taskId + "/runs").body()).getJsonArray("items").getJsonObject(0)
                .getString("state");
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detailPart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(new JsonObject(response.body()).getString("detail")).contains(detailPart);
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + controller.httpPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(request(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
