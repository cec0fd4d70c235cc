package io.muster.controller.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.FleetFixture;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.gateway.AgentSession;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fault: a cloned host. A second real agent starts from a copy of the first one's data directory
 * (same host id, same journal) and connects next to it. The first session is kept, the copy is
 * refused with ALREADY_EXISTS and a reason, and one {@code clone_detected} host event (published
 * as {@code host.clone_detected}) is raised however often the copy retries. A task to the host
 * runs once, on the first agent; once the first agent is gone the copy takes the host over.
 */
class ClonedHostTest extends FleetFixture {

    private static final Duration HEARTBEAT = Duration.ofSeconds(1);

    private TestDatabase db;

    @Override
    protected AutoCloseable database() {
        return db;
    }

    @Test
    void aCopyOfAnAgentsDataDirConnectsNextToIt_theFirstIsKept_theCopyRefused_oneCloneEvent() throws Exception {
        db = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(db.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "clone-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT));
        ApiClient api = TestTokens.adminClient(controller);
        Path first = Files.createDirectories(temp.resolve("first"));
        String hostId = UUID.randomUUID().toString();
        Files.writeString(first.resolve("host-id"), hostId + "\n");
        Agent original = start(first);
        await().atMost(Duration.ofSeconds(30)).until(() -> original.session().isConnected());
        long firstSince = controller.sessions().find(hostId).map(AgentSession::connectedSinceMs).orElseThrow();

        Path copy = temp.resolve("copy");
        copyTree(first, copy);
        long cloneStarted = System.nanoTime();
        Agent clone = start(copy);
        assertThat(clone.hostId()).isEqualTo(hostId);

        await().atMost(Duration.ofSeconds(30)).until(() -> cloneEvents(api, hostId).size() == 1);
        Duration detected = Duration.ofNanos(System.nanoTime() - cloneStarted);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(clone.session().lastFailure())
                .contains("ALREADY_EXISTS").contains("clone").contains("agent instance"));
        JsonObject event = cloneEvents(api, hostId).get(0);
        assertThat(event.getString("actor")).isEqualTo("controller");
        assertThat(event.getString("message")).contains("re-enroll");
        assertThat(event.getJsonObject("detail").getString("differs")).contains("agent instance");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                db.count("SELECT count(*) FROM outbox WHERE type = 'host.clone_detected' AND host_id = '" + hostId + "'") == 1);

        // The copy keeps retrying (every silence limit, 3 s here): still one session, the first, and one event.
        await().atMost(Duration.ofSeconds(20)).until(() -> clone.session().connectAttempts() >= 3);
        assertThat(controller.sessions().find(hostId).map(AgentSession::connectedSinceMs)).contains(firstSince);
        assertThat(original.session().isConnected()).isTrue();
        assertThat(clone.session().isConnected()).isFalse();
        assertThat(cloneEvents(api, hostId)).hasSize(1);
        assertThat(db.count("SELECT count(*) FROM outbox WHERE type = 'host.clone_detected'")).isEqualTo(1);

        // Work for the host runs once, on the agent that holds the session.
        Path executions = temp.resolve("executions");
        Files.createFile(executions);
        ApiClient.Answer accepted = api.post("/api/v1/tasks", new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("shell", "echo ran >> " + executions))
                .put("timeoutSeconds", 60).encode());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(201);
        String taskId = new JsonObject(accepted.body()).getString("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(runState(api, taskId)));
        assertThat(Files.readAllLines(executions)).as("0 runs executed twice").hasSize(1);

        // The first agent goes away for good: the copy takes the host over on its next try.
        original.close();
        long gone = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> clone.session().isConnected());
        Duration takeover = Duration.ofNanos(System.nanoTime() - gone);
        System.out.printf("cloned host: copy refused and one clone event recorded %d ms after it started;"
                + " copy took over %d ms after the first agent stopped%n", detected.toMillis(), takeover.toMillis());
        assertThat(cloneEvents(api, hostId)).hasSize(1);
    }

    private Agent start(Path dataDir) {
        Agent agent = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir,
                HEARTBEAT, Duration.ofSeconds(1), null, null, null)).start();
        agents.add(agent);
        return agent;
    }

    private static List<JsonObject> cloneEvents(ApiClient api, String hostId) {
        ApiClient.Answer answer = api.get("/api/v1/hosts/" + hostId + "/events?limit=1000");
        List<JsonObject> found = new ArrayList<>();
        if (answer.status() == 200) {
            JsonArray items = new JsonObject(answer.body()).getJsonArray("items");
            for (int i = 0; i < items.size(); i++) {
                if ("clone_detected".equals(items.getJsonObject(i).getString("kind"))) {
                    found.add(items.getJsonObject(i));
                }
            }
        }
        return found;
    }

    private static String runState(ApiClient api, String taskId) {
        ApiClient.Answer answer = api.get("/api/v1/tasks/" + taskId + "/runs");
        JsonArray items = new JsonObject(answer.body()).getJsonArray("items");
        return items.isEmpty() ? null : items.getJsonObject(0).getString("state");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            paths.forEach(p -> {
                try {
                    Path target = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
