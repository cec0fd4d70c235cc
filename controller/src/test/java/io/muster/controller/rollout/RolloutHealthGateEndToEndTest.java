package io.muster.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.FleetFixture;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Health gates and onFailure with real agents running real commands: a wave's hosts are checked
 * after their runs succeed, a failing check is a failure of that host that halts the rollout
 * before the next wave, and the onFailure task then runs on exactly the hosts the rollout changed.
 */
class RolloutHealthGateEndToEndTest extends FleetFixture {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final int HOSTS = 6;

    private TestDatabase database;

    @Override
    protected AutoCloseable database() {
        return database;
    }

    @Test
    void failingHealthCheckInTheSecondWave_haltsBeforeTheThird_onFailureRunsOnTheChangedHosts_passingChecksLetItFinish()
            throws Exception {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "health-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofMillis(500)));
        for (int i = 0; i < HOSTS; i++) {
            Path dataDir = temp.resolve("agent-" + i);
            Files.createDirectories(dataDir);
            // Distinct ids: every agent of this test runs on the same machine.
            Files.writeString(dataDir.resolve("host-id"), "hg-host-" + i + "\n");
            agents.add(new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir, Duration.ofMillis(500),
                    Duration.ofSeconds(1), null, null, null)).start());
        }
        await().atMost(DEADLINE).until(() -> controller.sessions().size() == HOSTS);
        ApiClient api = TestTokens.adminClient(controller);
        // A session is up before its host row is written (batched); the rollout selects rows.
        await().atMost(DEADLINE).until(() -> api.get("/api/v1/fleet/summary").json().getLong("total") == HOSTS);

        // The i-th check to run claims slot i (mkdir is atomic): checks 1 and 2 pass, the 3rd and later fail.
        Path slots = temp.resolve("slots");
        Path reverted = temp.resolve("reverted");
        Files.createDirectories(slots);
        Files.createDirectories(reverted);
        String check = "for i in 1 2 3 4 5 6 7; do if mkdir " + slots + "/$i 2>/dev/null; then test $i -le 2; exit $?; fi; done; exit 1";
        String id = start(api, new JsonObject().put("waves", new JsonArray().add(1).add(2)).put("maxFailures", 0),
                new JsonObject().put("kind", "exec").put("spec", new JsonObject().put("shell", check)).put("minHealthySeconds", 1),
                new JsonObject().put("kind", "exec").put("spec", new JsonObject().put("shell", "mktemp -p " + reverted)));

        JsonObject halted = awaitState(api, id, "halted");
        await().atMost(DEADLINE).until(() -> steps(api, id).contains("revert")
                && runsOf(api, revertTask(api, id)).stream().allMatch(r -> r.getString("state").equals("succeeded")));
        halted = rollout(api, id);
        assertThat(halted.getString("reason")).contains("failure budget exceeded");
        JsonObject counts = halted.getJsonObject("counts");
        assertThat(counts.getInteger("succeeded")).isEqualTo(2);
        assertThat(counts.getInteger("failed")).isEqualTo(1);
        assertThat(counts.getInteger("planned")).as("the third wave never started").isEqualTo(3);
        assertThat(halted.getJsonObject("failureBudget").getInteger("used")).isEqualTo(1);
        assertThat(steps(api, id)).containsExactly("run", "health", "run", "health", "revert");
        // Every run of the rollout's own tasks succeeded: the failure is the health check's.
        for (Object step : halted.getJsonArray("steps")) {
            JsonObject s = (JsonObject) step;
            List<JsonObject> runs = runsOf(api, s.getString("taskId"));
            if (s.getString("kind").equals("run")) {
                assertThat(runs).allMatch(r -> r.getString("state").equals("succeeded"));
            }
        }
        // onFailure ran once on each of the 3 hosts the rollout changed, and nowhere else.
        Set<String> changed = new HashSet<>();
        for (Object step : halted.getJsonArray("steps")) {
            JsonObject s = (JsonObject) step;
            if (s.getString("kind").equals("run")) {
                runsOf(api, s.getString("taskId")).forEach(r -> changed.add(r.getString("hostId")));
            }
        }
        Set<String> revertedHosts = new HashSet<>();
        runsOf(api, revertTask(api, id)).forEach(r -> revertedHosts.add(r.getString("hostId")));
        assertThat(revertedHosts).hasSize(3).isEqualTo(changed);
        try (var files = Files.list(reverted)) {
            assertThat(files.count()).isEqualTo(3);
        }
        assertThat(api.post("/api/v1/rollouts/" + id + "/resume", "").status()).as("the budget does not cover it").isEqualTo(409);

        // A check that passes gates nothing: every host runs, is checked, and the rollout succeeds.
        String healthy = start(api, new JsonObject().put("waves", new JsonArray().add(2).add(4)),
                new JsonObject().put("kind", "exec").put("spec", new JsonObject().put("command", new JsonArray().add("true"))),
                null);
        JsonObject done = awaitState(api, healthy, "succeeded");
        assertThat(done.getJsonObject("counts").getInteger("succeeded")).isEqualTo(HOSTS);
        // A wave's hosts are checked as each becomes due (minHealthySeconds after its own run), so a
        // wave whose runs end apart on a loaded machine gets its checks in more than one step.
        List<String> kinds = steps(api, healthy);
        List<String> collapsed = new ArrayList<>();
        kinds.forEach(k -> {
            if (collapsed.isEmpty() || !collapsed.get(collapsed.size() - 1).equals(k) || !k.equals("health")) {
                collapsed.add(k);
            }
        });
        assertThat(collapsed).as("steps %s", kinds).containsExactly("run", "health", "run", "health");
        int checked = 0;
        for (Object step : rollout(api, healthy).getJsonArray("steps")) {
            if (((JsonObject) step).getString("kind").equals("health")) {
                checked += ((JsonObject) step).getInteger("hosts");
            }
        }
        assertThat(checked).as("hosts health-checked, each once").isEqualTo(HOSTS);
    }

    private static String start(ApiClient api, JsonObject strategy, JsonObject healthCheck, JsonObject onFailure) {
        JsonObject request = new JsonObject().put("target", new JsonObject().put("selector", "hostname~*")).put("kind", "exec")
                .put("spec", new JsonObject().put("command", new JsonArray().add("true"))).put("timeoutSeconds", 30)
                .put("strategy", strategy).put("healthCheck", healthCheck);
        if (onFailure != null) {
            request.put("onFailure", onFailure);
        }
        ApiClient.Answer created = api.post("/api/v1/rollouts", request.encode());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().getInteger("total")).isEqualTo(HOSTS);
        return created.json().getString("id");
    }

    private static JsonObject rollout(ApiClient api, String id) {
        return api.get("/api/v1/rollouts/" + id).json();
    }

    private static JsonObject awaitState(ApiClient api, String id, String state) {
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> rollout(api, id).getString("state"),
                s -> s.equals(state));
        return rollout(api, id);
    }

    private static List<String> steps(ApiClient api, String id) {
        List<String> kinds = new ArrayList<>();
        rollout(api, id).getJsonArray("steps").forEach(s -> kinds.add(((JsonObject) s).getString("kind")));
        return kinds;
    }

    private static String revertTask(ApiClient api, String id) {
        for (Object step : rollout(api, id).getJsonArray("steps")) {
            if (((JsonObject) step).getString("kind").equals("revert")) {
                return ((JsonObject) step).getString("taskId");
            }
        }
        throw new AssertionError("no revert step");
    }

    private static List<JsonObject> runsOf(ApiClient api, String taskId) {
        List<JsonObject> runs = new ArrayList<>();
        api.get("/api/v1/tasks/" + taskId + "/runs?limit=1000").json().getJsonArray("items").forEach(r -> runs.add((JsonObject) r));
        return runs;
    }
}
