package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks end to end on one member: the HTTP API, PostgreSQL, dispatch, the real agent executing
 * real processes, results back in the database.
 */
class TaskEndToEndTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;
    private static TaskHttp http;
    private Agent agent;

    @BeforeAll
    static void startController() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(),
                0, "127.0.0.1", "tasks-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT),
                new RunSweeper.Settings(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(300)));
        http = new TaskHttp(controller);
    }

    @AfterAll
    static void stopController() {
        controller.close();
        database.close();
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private Agent startAgent(Path dataDir) {
        Agent started = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir, HEARTBEAT,
                Duration.ofSeconds(1), null, null, null)).start();
        await().atMost(DEADLINE).until(() -> controller.sessions().find(started.hostId()).isPresent());
        return started;
    }

    private static JsonObject shell(String hostId, String script, int timeoutSeconds) {
        return new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("shell", script))
                .put("timeoutSeconds", timeoutSeconds);
    }

    private static JsonObject onlyRun(String taskId) {
        JsonArray items = http.runs(taskId).getJsonArray("items");
        assertThat(items).hasSize(1);
        return items.getJsonObject(0);
    }

    private static void awaitTaskState(String taskId, String state) {
        await().atMost(DEADLINE).until(() -> http.task(taskId).getString("state"), state::equals);
    }

    @Test
    void execOnTheRealAgent_resultWithOutputInPostgres_progressStreamEnds() {
        agent = startAgent(temp.resolve("agent-exec"));
        String taskId = http.create(shell(agent.hostId(), "echo hello; echo oops >&2", 30));

        // The event stream ends by itself once every run is terminal.
        String events = http.get("/api/v1/tasks/" + taskId + "/events").body();
        assertThat(events).contains("event: progress").contains("event: done");
        assertThat(events.substring(events.indexOf("event: done"))).contains("\"state\":\"succeeded\"")
                .contains("\"succeeded\":1");

        JsonObject task = http.task(taskId);
        assertThat(task.getString("state")).isEqualTo("succeeded");
        assertThat(task.getInteger("total")).isEqualTo(1);
        assertThat(task.getJsonObject("counts").getInteger("succeeded")).isEqualTo(1);
        assertThat(task.getJsonObject("target").getJsonArray("hosts").getString(0)).isEqualTo(agent.hostId());
        JsonObject run = onlyRun(taskId);
        assertThat(run.getString("hostId")).isEqualTo(agent.hostId());
        assertThat(run.getString("stdout")).isEqualTo("hello\n");
        assertThat(run.getString("stderr")).isEqualTo("oops\n");
        assertThat(run.getInteger("exitCode")).isZero();
        assertThat(run.getBoolean("truncated")).isFalse();
        assertThat(run.getString("startedAt")).isNotNull();
        assertThat(run.getString("finishedAt")).isNotNull();
    }

    @Test
    void failingCommand_failedWithExitCode_andLongOutputStreamsWhileRunning() {
        agent = startAgent(temp.resolve("agent-fail"));
        String failing = http.create(shell(agent.hostId(), "exit 3", 30));
        awaitTaskState(failing, "failed");
        assertThat(onlyRun(failing).getInteger("exitCode")).isEqualTo(3);
        assertThat(onlyRun(failing).getString("state")).isEqualTo("failed");

        String streaming = http.create(shell(agent.hostId(), "echo first; sleep 4; echo second", 30));
        await().atMost(DEADLINE).until(() -> onlyRun(streaming).getString("stdout").contains("first"));
        JsonObject midway = onlyRun(streaming);
        assertThat(midway.getString("state")).isEqualTo("running");
        assertThat(midway.getString("stdout")).doesNotContain("second");
        awaitTaskState(streaming, "succeeded");
        assertThat(onlyRun(streaming).getString("stdout")).isEqualTo("first\nsecond\n");
    }

    @Test
    void cancelStopsALongRun_andTimeoutEndsAnother() {
        agent = startAgent(temp.resolve("agent-cancel"));
        String longRun = http.create(shell(agent.hostId(), "echo started; sleep 60", 120));
        await().atMost(DEADLINE).until(() -> onlyRun(longRun).getString("state"), "running"::equals);

        TaskHttp.Response cancelled = http.post("/api/v1/tasks/" + longRun + "/cancel", "");
        assertThat(cancelled.status()).isEqualTo(200);
        awaitTaskState(longRun, "cancelled");
        assertThat(onlyRun(longRun).getString("state")).isEqualTo("cancelled");
        assertThat(http.post("/api/v1/tasks/" + UUID.randomUUID() + "/cancel", "").status()).isEqualTo(404);

        String timed = http.create(shell(agent.hostId(), "sleep 60", 1));
        awaitTaskState(timed, "failed");
        assertThat(onlyRun(timed).getString("state")).isEqualTo("timed_out");
    }

    @Test
    void hostOfflineWhenTheTaskIsCreated_getsItsRunWhenItConnects() {
        Path dataDir = temp.resolve("agent-offline");
        Agent first = startAgent(dataDir);
        String hostId = first.hostId();
        first.close();
        await().atMost(DEADLINE).until(() -> controller.sessions().find(hostId).isEmpty());

        String taskId = http.create(shell(hostId, "echo late", 30));
        assertThat(http.task(taskId).getString("state")).isEqualTo("pending");

        agent = startAgent(dataDir);
        awaitTaskState(taskId, "succeeded");
        assertThat(onlyRun(taskId).getString("stdout")).isEqualTo("late\n");
    }

    @Test
    void hostThatStaysAway_runEndsHostLostAfterTheDeadline() {
        Agent gone = startAgent(temp.resolve("agent-gone"));
        String hostId = gone.hostId();
        gone.close();
        await().atMost(DEADLINE).until(() -> controller.hosts().find(hostId).toCompletionStage().toCompletableFuture()
                .get().orElseThrow().state().equals("offline"));

        String taskId = http.create(shell(hostId, "echo never", 30));
        awaitTaskState(taskId, "failed");
        JsonObject run = onlyRun(taskId);
        assertThat(run.getString("state")).isEqualTo("host_lost");
        assertThat(run.getString("reason")).contains("offline for more than 2");
    }
}
