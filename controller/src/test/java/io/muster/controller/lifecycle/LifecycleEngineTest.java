package io.muster.controller.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.task.container.ContainerEngineExtension;
import io.muster.agent.task.container.ContainerExecutor;
import io.muster.agent.task.container.ManagedContainers;
import io.muster.agent.task.container.TestEngine;
import io.muster.agent.task.container.TestImages;
import io.muster.agent.task.lifecycle.ContainerStatusCache;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host lifecycle against the real container engine (Podman here): a real controller on
 * PostgreSQL, the real agent with its container and lifecycle executors, no registry anywhere.
 */
@ExtendWith(ContainerEngineExtension.class)
class LifecycleEngineTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    private TestDatabase database;
    private Controller controller;
    private Agent agent;
    private LifecycleExecutor lifecycle;
    private ContainerExecutor containers;
    private ContainerStatusCache statuses;
    private String token;
    private String hostId;

    @BeforeEach
    void start(TestEngine engine) {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "engine-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT));
        token = TestTokens.admin(controller);
        Path dataDir = temp.resolve("agent");
        AgentConfig config = new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir, HEARTBEAT,
                Duration.ofMillis(500), null, List.of("true"), engine.client.socket());
        ManagedContainers managed = new ManagedContainers(engine.client);
        containers = new ContainerExecutor(engine.client);
        lifecycle = new LifecycleExecutor(dataDir, managed, config.rebootCommand(), null, Agent.VERSION, null,
                new BuildDownload());
        statuses = new ContainerStatusCache(managed, Duration.ofMillis(300));
        agent = new Agent(config, List.of(containers, lifecycle), statuses).start();
        hostId = agent.hostId();
        await().atMost(DEADLINE).until(() -> agent.session().isConnected());
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
            lifecycle.close();
            containers.close();
            statuses.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void drain_stopsManagedContainers_leavesOthersRunning_thenMaintenance_andUncordonMakesItReady(TestEngine engine)
            throws Exception {
        String managed = engine.name("drained");
        String other = engine.name("not-ours");
        JsonObject run = task(new JsonObject().put("action", "run").put("image", engine.image).put("name", managed)
                .put("command", new JsonArray().add("sleep").add("300")));
        assertThat(run.getString("state")).as(run.encode()).isEqualTo("succeeded");
        engine.startUnmanaged(other, "sleep", "300");
        await().atMost(DEADLINE).until(() -> containersOf(hostId).contains(managed));
        assertThat(containersOf(hostId)).doesNotContain(other);

        assertThat(post("/api/v1/hosts/" + hostId + "/lifecycle", "{\"action\":\"cordon\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> drain = post("/api/v1/hosts/" + hostId + "/lifecycle", "{\"action\":\"drain\",\"graceSeconds\":1}");
        assertThat(drain.statusCode()).as(drain.body()).isEqualTo(202);
        String taskId = new JsonObject(drain.body()).getString("taskId");
        await().atMost(DEADLINE).until(() -> "maintenance".equals(host().getString("lifecycle")));

        JsonObject drained = runOf(taskId);
        assertThat(drained.getString("state")).isEqualTo("succeeded");
        assertThat(drained.getString("stdout")).contains("stopped " + managed, "managed container(s) stopped");
        assertThat(engine.state(managed)).isEqualTo("exited");
        assertThat(engine.state(other)).isEqualTo("running");
        assertThat(get("/api/v1/hosts/" + hostId + "/events").body()).contains("drain succeeded: draining -> maintenance");

        assertThat(post("/api/v1/hosts/" + hostId + "/lifecycle", "{\"action\":\"uncordon\"}").statusCode()).isEqualTo(200);
        assertThat(host().getString("lifecycle")).isEqualTo("ready");
    }

    @Test
    void imageUpload_downloadByDigest_load_run_withoutARegistry(TestEngine engine) throws Exception {
        String reference = "localhost/" + engine.prefix + "-uploaded:1";
        byte[] archive = TestImages.dockerArchive(reference, TestImages.busyboxRootfs());
        HttpResponse<String> uploaded = HTTP.send(request("/api/v1/images")
                .POST(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        String digest = new JsonObject(uploaded.body()).getString("digest");
        assertThat(engine.imageExists(reference)).isFalse();

        // No token in the spec: the controller grants the download itself, as a task secret.
        String taskId = createTask(new JsonObject().put("action", "load")
                .put("url", "http://127.0.0.1:" + controller.httpPort() + "/api/v1/images/" + digest)
                .put("digest", digest));
        JsonObject load = awaitRun(taskId);
        assertThat(load.getString("state")).as(load.encode()).isEqualTo("succeeded");
        assertThat(engine.imageExists(reference)).isTrue();
        assertThat(get("/api/v1/tasks/" + taskId).body()).doesNotContain("Bearer", "Authorization");

        String name = engine.name("from-upload");
        JsonObject run = task(new JsonObject().put("action", "run").put("image", reference).put("name", name)
                .put("command", new JsonArray().add("sh").add("-c").add("echo hello from the upload; sleep 300")));
        assertThat(run.getString("state")).as(run.encode()).isEqualTo("succeeded");
        await().atMost(DEADLINE).until(() -> containersOf(hostId).contains(name));
        assertThat(engine.state(name)).isEqualTo("running");

        JsonObject wrongDigest = task(new JsonObject().put("action", "load")
                .put("url", "http://127.0.0.1:" + controller.httpPort() + "/api/v1/images/" + digest)
                .put("digest", "sha256:" + "0".repeat(64)));
        assertThat(wrongDigest.getString("state")).isEqualTo("failed");

        // A spec that brings its own Authorization header keeps it (here a wrong token): nothing is granted over it.
        JsonObject foreign = task(new JsonObject().put("action", "load")
                .put("url", "http://localhost:" + controller.httpPort() + "/api/v1/images/" + digest)
                .put("digest", digest).put("headers", new JsonObject().put("Authorization", "Bearer not-a-token")));
        assertThat(foreign.getString("state")).isEqualTo("failed");
        assertThat(foreign.getString("reason")).contains("401");
    }

    /** Runs a container task on the host and returns its run once terminal. */
    private JsonObject task(JsonObject spec) throws Exception {
        return awaitRun(createTask(spec));
    }

    private String createTask(JsonObject spec) throws Exception {
        HttpResponse<String> created = post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "container").put("spec", spec).put("timeoutSeconds", 120).encode());
        assertThat(created.statusCode()).as(created.body()).isBetween(200, 202);
        return new JsonObject(created.body()).getString("id");
    }

    private JsonObject awaitRun(String taskId) throws Exception {
        await().atMost(DEADLINE).until(() -> !List.of("pending", "running").contains(runOf(taskId).getString("state")));
        return runOf(taskId);
    }

    private String containersOf(String host) throws Exception {
        return get("/api/v1/hosts/" + host + "/containers").body();
    }

    private JsonObject host() throws Exception {
        return new JsonObject(get("/api/v1/hosts/" + hostId).body());
    }

    private JsonObject runOf(String taskId) throws Exception {
        return new JsonObject(get("/api/v1/tasks/" + taskId + "/runs").body()).getJsonArray("items").getJsonObject(0);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.httpPort() + path))
                .header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
