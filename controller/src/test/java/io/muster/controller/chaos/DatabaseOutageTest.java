package io.muster.controller.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.micrometer.core.instrument.Counter;
import io.muster.agent.AgentConfig;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.FleetFixture;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.store.Database;
import io.muster.controller.store.EmbeddedDatabase;
import io.muster.controller.task.RunSweeper;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fault: PostgreSQL stops during a fan-out and while API clients submit tasks, then comes back.
 * The server is this test's OWN embedded PostgreSQL (never the shared one on 5432), stopped for
 * real (fast shutdown) and restarted on the same port with the same data. The outage here is
 * {@link #OUTAGE} (the chaos bench uses 30 s).
 *
 * <p>Promises checked: the member stays up (/healthz 200), /readyz is 503 and an API write is a
 * 503 problem within {@link #ANSWER_WITHIN}; the agents finish their runs during the outage and
 * keep the results in their journals; agents arriving during the outage are refused with a
 * retry-after (not accepted and closed, over and over) and all connect once it is back; once the
 * database is back every run is terminal, 0 accepted tasks lost, 0 runs executed twice, and the
 * recovery time is printed.
 */
class DatabaseOutageTest extends FleetFixture {

    static final Duration OUTAGE = Duration.ofSeconds(8);
    /** The stated bound for an API answer while the database is down. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final int AGENTS = 5;
    private static final int NEWCOMERS = 40;
    /** Arriving over 4 s of the outage, as hosts booting would, not all in one instant. */
    private static final int NEWCOMERS_PER_SECOND = 10;

    private EmbeddedDatabase postgres;
    private FleetSimulator newcomers;

    @AfterEach
    void stopNewcomers() {
        if (newcomers != null) {
            newcomers.stop();
        }
    }

    @Override
    protected AutoCloseable database() {
        return postgres;
    }

    @Test
    void postgresStopsDuringAFanOutAndComesBack_noRunLostOrTwice_apiAnswers503Meanwhile() throws Exception {
        int port = freePort();
        postgres = EmbeddedDatabase.start(temp.resolve("pg"), port);
        controller = Controller.start(new ControllerConfig(postgres.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                        "127.0.0.1", "pg-outage-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT),
                new RunSweeper.Settings(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(15)));
        ApiClient api = TestTokens.adminClient(controller);
        JsonArray hosts = new JsonArray();
        for (int i = 0; i < AGENTS; i++) {
            // Agents in one JVM share /etc/machine-id: give each its own identity, as on its own machine.
            Path dataDir = Files.createDirectories(temp.resolve("agent-" + i));
            Files.writeString(dataDir.resolve("host-id"), UUID.randomUUID() + "\n");
            Agent agent = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir,
                    HEARTBEAT, Duration.ofSeconds(1), null, null, null)).start();
            agents.add(agent);
            hosts.add(agent.hostId());
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> agents.stream()
                .allMatch(a -> controller.sessions().find(a.hostId()).isPresent()));
        Path executions = temp.resolve("executions");
        Files.createFile(executions);

        // The fan-out: each run takes 3 s, so the outage starts while they run and they end during it.
        ApiClient.Answer accepted = api.post("/api/v1/tasks", task(hosts, "sleep 3; echo ran >> " + executions).encode());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
        String taskId = new JsonObject(accepted.body()).getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> runs(api, taskId).stream()
                .allMatch(r -> "running".equals(r.getString("state"))));

        postgres.close();
        long down = System.nanoTime();

        // During the outage: the member is up, not ready, and a write is a quick 503 problem.
        assertThat(api.get("/healthz").status()).isEqualTo(200);
        long askedReady = System.nanoTime();
        ApiClient.Answer ready = api.get("/readyz");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(new JsonObject(ready.body()).getString("detail")).as("no driver text to a caller without a token")
                .isEqualTo("the database does not answer");
        assertThat(Duration.ofNanos(System.nanoTime() - askedReady)).isLessThan(ANSWER_WITHIN);
        long askedWrite = System.nanoTime();
        ApiClient.Answer refused = api.post("/api/v1/tasks", task(hosts, "echo never").encode());
        Duration writeAnswer = Duration.ofNanos(System.nanoTime() - askedWrite);
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).contains("5");
        assertThat(new JsonObject(refused.body()).getString("detail")).containsIgnoringCase("database");
        assertThat(writeAnswer).isLessThan(ANSWER_WITHIN);

        // New agents arrive while the database is away: their connects cannot be recorded. The member
        // refuses their Hellos with a retry-after instead of accepting each and closing it again.
        newcomers = FleetSimulator.start(new SimulatorConfig(List.of("127.0.0.1:" + controller.grpcPort()), NEWCOMERS,
                17, 100, HEARTBEAT, NEWCOMERS_PER_SECOND, null, "outage-newcomer-"));

        // The runs finish while the database is away: only the agents' journals hold the results.
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readAllLines(executions).size() == AGENTS);
        long remaining = OUTAGE.toMillis() - Duration.ofNanos(System.nanoTime() - down).toMillis();
        if (remaining > 0) {
            Thread.sleep(remaining);
        }

        postgres = EmbeddedDatabase.start(temp.resolve("pg"), port);
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> runs(api, taskId).stream().allMatch(r -> "succeeded".equals(r.getString("state"))));
        Duration recovery = Duration.ofNanos(System.nanoTime() - back);
        System.out.printf("database outage %d ms: write answered 503 in %d ms, every run terminal %d ms after the database returned%n",
                Duration.ofNanos(back - down).toMillis(), writeAnswer.toMillis(), recovery.toMillis());

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> newcomers.connectedCount() == NEWCOMERS);
        double failedWrites = refused("store-failed");
        double refusedAtOnce = refused("store");
        System.out.printf("%d agents arriving during the outage: %.0f connect writes failed, %.0f Hellos refused"
                + " with a retry-after without one; every newcomer connected %d ms after the database returned%n",
                NEWCOMERS, failedWrites, refusedAtOnce, Duration.ofNanos(System.nanoTime() - back).toMillis());
        assertThat(refusedAtOnce).as("Hellos refused while connect writes fail").isPositive();
        // The first failure opens the breaker; then one probe per window (1, 2, 4, 5 s). Without it
        // every newcomer's Hello would be accepted and its write fail, each at least once.
        assertThat(failedWrites).as("connect writes tried while the store was down").isLessThanOrEqualTo(10);

        List<JsonObject> runs = runs(api, taskId);
        assertThat(runs).as("0 accepted runs lost").hasSize(AGENTS);
        assertThat(runs).allSatisfy(r -> assertThat(r.getString("stdout")).isEmpty());
        assertThat(Files.readAllLines(executions)).as("0 runs executed twice").hasSize(AGENTS);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz").status() == 200);
        ApiClient.Answer after = api.post("/api/v1/tasks", task(hosts, "true").encode());
        assertThat(after.status()).as("writes work again: %s", after.body()).isEqualTo(201);
        assertThat(controller.sessions().find(agents.get(0).hostId())).as("agents stayed connected").isPresent();
    }

    /** PostgreSQL is away (restarting) when a member starts: the member waits for it and comes up ready. */
    @Test
    void postgresRestartingWhileAMemberStarts_theMemberWaitsAndComesUpReady() throws Exception {
        int port = freePort();
        postgres = EmbeddedDatabase.start(temp.resolve("pg"), port);
        String url = postgres.url();
        postgres.close();
        Thread restart = new Thread(() -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                return;
            }
            postgres = EmbeddedDatabase.start(temp.resolve("pg"), port);
        }, "pg-restart");
        long starting = System.nanoTime();
        restart.start();
        controller = Controller.start(new ControllerConfig(url, 0, 0,
                temp.resolve("controller"), List.of(), 0, "127.0.0.1", "pg-start-" + UUID.randomUUID(), Duration.ofSeconds(3),
                HEARTBEAT));
        Duration started = Duration.ofNanos(System.nanoTime() - starting);
        restart.join();
        System.out.printf("member started %d ms after it was launched against a PostgreSQL that returned after 3 s%n",
                started.toMillis());

        assertThat(started).isGreaterThanOrEqualTo(Duration.ofSeconds(3)).isLessThan(Database.START_WAIT);
        ApiClient api = TestTokens.adminClient(controller);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/readyz").status() == 200);
    }

    private double refused(String reason) {
        Counter counter = controller.meterRegistry().find("muster.sessions.refused").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static JsonObject task(JsonArray hosts, String script) {
        return new JsonObject()
                .put("target", new JsonObject().put("hosts", hosts))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("shell", script))
                .put("timeoutSeconds", 120);
    }

    private static List<JsonObject> runs(ApiClient api, String taskId) {
        ApiClient.Answer answer = api.get("/api/v1/tasks/" + taskId + "/runs?limit=1000");
        if (answer.status() != 200) {
            return List.of();
        }
        JsonArray items = new JsonObject(answer.body()).getJsonArray("items");
        List<JsonObject> runs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            runs.add(items.getJsonObject(i));
        }
        return runs;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
