package io.muster.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.launch.ChildProcess;
import io.muster.cli.launch.JavaCommand;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent self-upgrade for real: a controller on PostgreSQL, the agent supervisor script running the
 * real {@code muster agent} in child JVMs. Upgrade from the distribution's agent to
 * build B (the agent's own code with another version in its manifest), then to a broken build
 * that exits at once: it is rolled back to B, and both runs report the truth.
 */
class AgentUpgradeEndToEndTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    private TestDatabase database;
    private Controller controller;
    private ChildProcess supervisor;
    private String token;

    @AfterEach
    void stop() throws Exception {
        if (supervisor != null) {
            supervisor.stop(Duration.ofSeconds(30));
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void upgradeToB_succeeds_thenABrokenBuildIsRolledBack_andBothRunsTellTheTruth() throws Exception {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "upgrade-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofMillis(300)));
        token = TestTokens.admin(controller);
        Path dataDir = temp.resolve("agent");
        // As the launchers start it: the supervisor script around the agent JVM.
        supervisor = ChildProcess.start("muster agent", JavaCommand.current().supervisedAgent(temp.resolve("bin"), List.of(),
                List.of("--controller", "127.0.0.1:" + controller.grpcPort(), "--data-dir", dataDir.toString(),
                        "--heartbeat", "300ms", "--upgrade-deadline", "30s", "--insecure",
                        "--container-socket", temp.resolve("no-engine.sock").toString())),
                temp.resolve("agent.log"));
        await().atMost(DEADLINE).until(() -> get("/api/v1/hosts").getJsonArray("items").size() == 1
                && "online".equals(get("/api/v1/hosts").getJsonArray("items").getJsonObject(0).getString("state")));
        JsonObject host = get("/api/v1/hosts").getJsonArray("items").getJsonObject(0);
        String hostId = host.getString("id");
        String versionA = host.getString("agentVersion");
        assertThat(versionA).isNotBlank().isNotEqualTo("2.0.0-b");

        // A -> B: the new build is started by the supervisor, reaches the controller, the run succeeds.
        upload("2.0.0-b", TestBuilds.agentBuild("2.0.0-b", temp.resolve("b.jar")));
        JsonObject upgrade = lifecycle(hostId, "{\"action\":\"upgrade-agent\",\"version\":\"2.0.0-b\"}");
        await().atMost(DEADLINE).until(() -> terminal(run(upgrade)));
        JsonObject toB = run(upgrade);
        assertThat(toB.getString("state")).as(toB.encode()).isEqualTo("succeeded");
        assertThat(get("/api/v1/hosts/" + hostId).getString("agentVersion")).isEqualTo("2.0.0-b");
        assertThat(Files.exists(dataDir.resolve("agent-builds/current.jar"))).isTrue();
        await().atMost(DEADLINE).until(() -> !Files.exists(dataDir.resolve("agent-builds/pending")));
        await().atMost(DEADLINE).until(() -> events(hostId).contains("upgrade-agent succeeded"));

        // B -> broken: the broken build exits 1 before reaching a controller; B comes back and says so.
        upload("3.0.0-broken", TestBuilds.brokenBuild("3.0.0-broken", temp.resolve("broken.jar")));
        JsonObject broken = lifecycle(hostId, "{\"action\":\"upgrade-agent\",\"version\":\"3.0.0-broken\"}");
        await().atMost(DEADLINE).until(() -> terminal(run(broken)));
        JsonObject rolledBack = run(broken);
        assertThat(rolledBack.getString("state")).as(rolledBack.encode()).isEqualTo("failed");
        assertThat(rolledBack.getString("reason")).contains("upgrade to 3.0.0-broken rolled back",
                "agent build 3.0.0-broken exited with code 1 before it reached a controller", "running 2.0.0-b again");
        await().atMost(DEADLINE).until(() -> "online".equals(get("/api/v1/hosts/" + hostId).getString("state")));
        assertThat(get("/api/v1/hosts/" + hostId).getString("agentVersion")).isEqualTo("2.0.0-b");
        assertThat(get("/api/v1/hosts/" + hostId).getString("lifecycle")).isEqualTo("ready");
        await().atMost(DEADLINE).until(() -> events(hostId).contains("upgrade-agent failed"));
        assertThat(Files.readAllBytes(dataDir.resolve("agent-builds/current.jar")))
                .isEqualTo(Files.readAllBytes(temp.resolve("b.jar")));
        String log = Files.readString(supervisor.log(), StandardCharsets.UTF_8);
        assertThat(log).contains("broken agent build: failing on purpose", "rolling back");

        // The restored agent still works: an exec task runs on it.
        JsonObject task = post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "exec").put("spec", new JsonObject().put("shell", "echo still here")).encode());
        await().atMost(DEADLINE).until(() -> terminal(runOf(task.getString("id"))));
        assertThat(runOf(task.getString("id")).getString("stdout")).isEqualTo("still here\n");

        // The supervisor that did all this is a shell, not a JVM, and it is still the same process.
        assertThat(supervisor.isAlive()).isTrue();
        assertThat(ProcessHandle.of(supervisor.pid()).flatMap(p -> p.info().command()).orElse("")).doesNotEndWith("/java");

        // SIGTERM to the supervisor stops the agent with it, cleanly.
        assertThat(supervisor.stop(Duration.ofSeconds(30))).isTrue();
        assertThat(supervisor.exitCode()).contains(0);
        await().atMost(DEADLINE).until(() -> "offline".equals(get("/api/v1/hosts/" + hostId).getString("state"))
                || controller.sessions().find(hostId).isEmpty());
    }

    private static boolean terminal(JsonObject run) {
        return !List.of("pending", "running").contains(run.getString("state"));
    }

    private void upload(String version, Path jar) throws Exception {
        HttpResponse<String> response = HTTP.send(request(uri("/api/v1/agent-builds?version=" + version))
                .POST(HttpRequest.BodyPublishers.ofFile(jar)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private JsonObject lifecycle(String hostId, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(request(uri("/api/v1/hosts/" + hostId + "/lifecycle"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return new JsonObject(response.body());
    }

    private JsonObject run(JsonObject started) throws Exception {
        return runOf(started.getString("taskId"));
    }

    private JsonObject runOf(String taskId) throws Exception {
        return get("/api/v1/tasks/" + taskId + "/runs").getJsonArray("items").getJsonObject(0);
    }

    private String events(String hostId) throws Exception {
        return HTTP.send(request(uri("/api/v1/hosts/" + hostId + "/events")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private JsonObject post(String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(request(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 202);
        return new JsonObject(response.body());
    }

    private JsonObject get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(request(uri(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + controller.httpPort() + path);
    }
}
