package io.muster.controller.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Value;
import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.muster.controller.task.RunStatus;
import io.muster.controller.task.RunSweeper;
import io.muster.controller.task.RunView;
import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRepository;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskTarget;
import io.muster.controller.task.TaskView;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pending runs never wait forever on a connected host: a push that was lost is made again by the
 * owner, and a run the agent never starts ends timed_out. Real member, PostgreSQL, gRPC, agents.
 * Runs are written straight through the repository, which is exactly a push that got lost: the
 * task and its runs are committed, and nothing was sent.
 */
class PendingRedeliveryTest {

    // Not shorter: the silence limit is a few heartbeats, and an agent that reconnects gets its open
    // runs on connect, not by redelivery, which this test is about.
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;
    private static Vertx vertx;
    private static Database reader;

    @BeforeAll
    static void start() {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(),
                0, "127.0.0.1", "redeliver-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT),
                new RunSweeper.Settings(Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofMillis(300),
                        Duration.ofSeconds(1)));
        vertx = Vertx.vertx();
        reader = Await.result(Database.open(vertx, database.url()));
    }

    @AfterAll
    static void stop() {
        Await.result(reader.close());
        Await.result(vertx.close());
        controller.close();
        database.close();
    }

    private static TaskRepository repository() {
        return controller.taskEngine().repository();
    }

    private static RunView onlyRun(UUID taskId) {
        List<RunView> runs = Await.result(repository().runs(taskId, null, 10, null)).items();
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }

    private static Row task(UUID taskId) {
        return Await.result(reader.pool().preparedQuery("SELECT spec, secrets FROM tasks WHERE id = $1")
                .execute(Tuple.of(taskId))).iterator().next();
    }

    @Test
    void aLostPushIsMadeAgainAndTheRealAgentRunsItOnce() throws Exception {
        Path marks = temp.resolve("executions.txt");
        long loadedBefore = controller.taskEngine().hostsLoadedOnConnect();
        Agent agent = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), temp.resolve("agent"),
                HEARTBEAT, Duration.ofSeconds(1), null, null, null)).start();
        try {
            await().atMost(DEADLINE).until(() -> controller.taskEngine().connectedAgents() == 1);
            // The connect's own load of open runs must be over before the run exists, or that load (20 ms
            // window + a query, later on a loaded machine) delivers it instead of the redelivery sweep.
            await().atMost(DEADLINE).until(() -> controller.taskEngine().hostsLoadedOnConnect() > loadedBefore);
            UUID taskId = UUID.randomUUID();
            Await.result(repository().create(taskId, new TaskRequest(new TaskTarget.ByHosts(List.of(agent.hostId())),
                    TaskKind.EXEC, new JsonObject().put("shell", "echo ran >> '" + marks + "'; echo hello"), 30, false),
                    "a-member-that-lost-the-push"));

            await().atMost(DEADLINE).until(() -> onlyRun(taskId).state() == RunStatus.SUCCEEDED);
            assertThat(onlyRun(taskId).stdout()).isEqualTo("hello\n");
            assertThat(controller.taskEngine().redeliveredRuns()).isPositive();
            // Pushed again while pending, executed once.
            assertThat(Files.readAllLines(marks)).containsExactly("ran");
        } finally {
            agent.close();
        }
    }

    @Test
    void aRunNeverStartedOnAConnectedHostEndsTimedOut_andItsSecretsReachOnlyTheAgent() throws Exception {
        String hostId = "silent-" + UUID.randomUUID();
        try (SilentAgent silent = new SilentAgent(controller.grpcPort(), hostId)) {
            await().atMost(DEADLINE).until(() -> controller.taskEngine().connectedAgents() >= 1
                    && controller.sessions().find(hostId).isPresent());
            await().atMost(DEADLINE).until(() -> Await.result(reader.pool().preparedQuery(
                    "SELECT count(*) FROM hosts WHERE id = $1").execute(Tuple.of(hostId))).iterator().next().getLong(0) == 1);
            UUID taskId = UUID.randomUUID();
            Await.result(repository().create(taskId, new TaskRequest(new TaskTarget.ByHosts(List.of(hostId)),
                    TaskKind.EXEC, new JsonObject().put("shell", "true"), 2, false)
                    .withSecrets(new JsonObject().put("authorization", "Bearer s3cret")), "lost"));
            String runId = onlyRun(taskId).runId().toString();

            // Pushed again and again while it stays pending, with the secret merged into its spec.
            await().atMost(DEADLINE).until(() -> silent.received(runId) >= 2);
            assertThat(silent.assignments().get(0).getSpec().getFieldsMap())
                    .containsEntry("authorization", Value.newBuilder().setStringValue("Bearer s3cret").build())
                    .containsEntry("shell", Value.newBuilder().setStringValue("true").build());
            // What task readers see never holds it.
            TaskView view = Await.result(repository().find(taskId)).orElseThrow();
            assertThat(view.spec().encode()).doesNotContain("s3cret");
            assertThat(((JsonObject) task(taskId).getValue("spec")).containsKey("authorization")).isFalse();

            // Offered, never started: ends after timeout (2 s) + grace (1 s), not never.
            await().atMost(DEADLINE).until(() -> onlyRun(taskId).state() == RunStatus.TIMED_OUT);
            assertThat(onlyRun(taskId).reason()).startsWith("never started");
            // The task is finished: its secret is forgotten.
            await().atMost(DEADLINE).until(() -> task(taskId).getValue("secrets") == null);
        }
    }

    /**
     * The sweep's retry budget: however many runs of its hosts stay pending, one sweep loads at
     * most its limit, the oldest first (pushing tens of thousands again at once fed a slow store and
     * slow agents more work in the 1-hour soak).
     */
    @Test
    void aSweepLoadsAtMostItsBudget_oldestFirst() throws Exception {
        String hostId = "backlog-" + UUID.randomUUID();
        try (SilentAgent silent = new SilentAgent(controller.grpcPort(), hostId)) {
            await().atMost(DEADLINE).until(() -> Await.result(reader.pool().preparedQuery(
                    "SELECT count(*) FROM hosts WHERE id = $1").execute(Tuple.of(hostId))).iterator().next().getLong(0) == 1);
            List<UUID> created = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                UUID taskId = UUID.randomUUID();
                Await.result(repository().create(taskId, new TaskRequest(new TaskTarget.ByHosts(List.of(hostId)),
                        TaskKind.EXEC, new JsonObject().put("shell", "true"), 60, false), "lost"));
                created.add(onlyRun(taskId).runId());
            }
            await().atMost(DEADLINE).untilAsserted(() -> assertThat(Await.result(repository()
                    .redeliveryDue(List.of(hostId), Duration.ZERO, 2)).stream().map(run -> run.run().runId()).toList())
                    .as("two of three pending runs, the oldest").containsExactly(created.get(0), created.get(1)));
        }
    }
}
