package io.muster.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.simulation.FailingHosts;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.dispatch.Members;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollouts over simulated fleets through the REST API of real members, with hosts that fail. */
class RolloutEndToEndTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    Path temp;

    private Members members;
    private FleetSimulator simulator;

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
        if (members != null) {
            members.close();
        }
    }

    /** @return an admin client of the first member (its token is made before the agents load the machine) */
    private ApiClient fleet(int memberCount, int hosts, Duration taskDelay, FailingHosts failing) {
        members = new Members(temp, memberCount);
        ApiClient api = TestTokens.adminClient(members.members.get(0));
        simulator = FleetSimulator.start(new SimulatorConfig(members.grpcAddresses(), hosts, 11, 250, Members.HEARTBEAT,
                500, taskDelay, "ro-"), failing);
        await().atMost(DEADLINE).until(() -> simulator.connectedCount() == hosts && members.targetable(hosts));
        return api;
    }

    private static JsonObject exec(JsonObject strategy) {
        return new JsonObject().put("target", new JsonObject().put("selector", "hostname~*")).put("kind", "exec")
                .put("spec", new JsonObject().put("shell", "apply-change")).put("timeoutSeconds", 60)
                .put("strategy", strategy);
    }

    private static String start(ApiClient api, JsonObject request) {
        ApiClient.Answer created = api.post("/api/v1/rollouts", request.encode());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
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

    @Test
    void fiveHundredHosts_twentyFailing_waves1_10_25pct_budget5_haltsWithinOneWave_thenResumesWithARaisedBudget() {
        Set<String> failing = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            failing.add(FleetSimulator.hostId("ro-", 11, 3 + i * 24));
        }
        ApiClient api = fleet(1, 500, Duration.ofMillis(20), (hostId, facts) -> failing.contains(hostId));

        String id = start(api, exec(new JsonObject().put("waves", new JsonArray().add(1).add(10).add("25%"))
                .put("maxFailures", 5)));
        JsonObject halted = awaitState(api, id, "halted");
        // Runs in flight when the budget was exceeded finish and count: wait for them.
        await().atMost(DEADLINE).until(() -> rollout(api, id).getJsonObject("counts").getInteger("running") == 0);
        halted = rollout(api, id);
        int failed = halted.getJsonObject("failureBudget").getInteger("used");
        assertThat(halted.getJsonObject("failureBudget").getInteger("allowed")).isEqualTo(5);
        assertThat(failed).isGreaterThan(5).isLessThanOrEqualTo(5 + 125);
        assertThat(halted.getString("reason")).contains("failure budget exceeded").contains(failed + " hosts failed")
                .contains("5 allowed");
        assertThat(halted.getJsonObject("counts").getInteger("planned")).isPositive();
        assertThat(halted.getJsonArray("waves").getJsonObject(0).getInteger("hosts")).isEqualTo(1);
        assertThat(halted.getJsonArray("waves").getJsonObject(2).getInteger("hosts")).isEqualTo(125);
        assertThat(halted.getJsonArray("waves")).extracting(w -> ((JsonObject) w).getString("state")).contains("pending");

        // Resume with the same budget is refused; raising it first lets the rest run.
        ApiClient.Answer refused = api.post("/api/v1/rollouts/" + id + "/resume", "");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().getString("detail")).contains("maxFailures");
        ApiClient.Answer patched = api.send("PATCH", "/api/v1/rollouts/" + id,
                new JsonObject().put("strategy", new JsonObject().put("maxFailures", 20)).encode());
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().getJsonObject("failureBudget").getInteger("allowed")).isEqualTo(20);
        assertThat(api.post("/api/v1/rollouts/" + id + "/resume", "").status()).isEqualTo(200);

        JsonObject done = awaitState(api, id, "succeeded");
        assertThat(done.getJsonObject("counts").getInteger("succeeded")).isEqualTo(480);
        assertThat(done.getJsonObject("counts").getInteger("failed")).isEqualTo(20);
        assertThat(done.getString("finishedAt")).isNotNull();
        assertThat(simulator.runsExecutedMoreThanOnce()).isEmpty();
        // Every host ran exactly one run of the rollout.
        for (String hostId : simulator.hostIds()) {
            assertThat(simulator.agent(hostId).executedRuns()).as(hostId).hasSize(1);
        }
        assertThat(api.post("/api/v1/rollouts/" + id + "/pause", "").status()).isEqualTo(409);
    }

    @Test
    void manualCanaryWaits_autoCanaryProceeds_spreadByDcInterleaves_abortStopsNewRuns() {
        ApiClient api = fleet(1, 40, Duration.ofMillis(300), FailingHosts.NONE);

        String manual = start(api, exec(new JsonObject().put("waves", new JsonArray().add(4)).put("spreadBy", "dc")
                .put("canary", new JsonObject().put("hosts", 2).put("approval", "manual"))));
        JsonObject waiting = awaitState(api, manual, "waiting_approval");
        assertThat(waiting.getJsonObject("counts").getInteger("succeeded")).isEqualTo(2);
        assertThat(waiting.getJsonObject("counts").getInteger("planned")).isEqualTo(38);
        assertThat(waiting.getString("reason")).contains("canary");
        assertThat(api.post("/api/v1/rollouts/" + manual + "/resume", "").status()).isEqualTo(200);
        awaitState(api, manual, "succeeded");
        // Each wave of 4 takes hosts from every datacenter in turn.
        assertWavesSpreadOverDatacenters(api, manual);

        String auto = start(api, exec(new JsonObject().put("window", 5)
                .put("canary", new JsonObject().put("hosts", 1).put("approval", "auto").put("waitSeconds", 1))));
        awaitState(api, auto, "succeeded");

        String aborted = start(api, exec(new JsonObject().put("window", 2)));
        await().atMost(DEADLINE).until(() -> rollout(api, aborted).getJsonObject("counts").getInteger("succeeded") >= 2);
        ApiClient.Answer abort = api.post("/api/v1/rollouts/" + aborted + "/abort", "");
        assertThat(abort.status()).isEqualTo(200);
        int startedAtAbort = 40 - abort.json().getJsonObject("counts").getInteger("planned");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
        JsonObject after = rollout(api, aborted);
        assertThat(after.getString("state")).isEqualTo("aborted");
        assertThat(40 - after.getJsonObject("counts").getInteger("planned")).isEqualTo(startedAtAbort);
        assertThat(after.getJsonObject("counts").getInteger("planned")).isPositive();
        assertThat(api.post("/api/v1/rollouts/" + aborted + "/resume", "").status()).isEqualTo(409);
    }

    // The first wave after the canary takes its 4 hosts from 4 different datacenters (there are more).
    private static void assertWavesSpreadOverDatacenters(ApiClient api, String id) {
        JsonArray steps = rollout(api, id).getJsonArray("steps");
        JsonObject firstWave = steps.getJsonObject(1);
        assertThat(firstWave.getInteger("wave")).isEqualTo(1);
        JsonArray runs = api.get("/api/v1/tasks/" + firstWave.getString("taskId") + "/runs?limit=1000").json()
                .getJsonArray("items");
        Set<String> datacenters = new HashSet<>();
        for (int r = 0; r < runs.size(); r++) {
            String hostId = runs.getJsonObject(r).getString("hostId");
            datacenters.add(api.get("/api/v1/hosts/" + hostId).json().getJsonObject("facts").getString("dc"));
        }
        assertThat(runs.size()).isEqualTo(4);
        assertThat(datacenters).hasSize(4);
    }

    @Test
    void ownerKilledMidRollout_aSurvivorContinues_noHostRunsTwice() {
        ApiClient api = fleet(3, 150, Duration.ofMillis(800), FailingHosts.NONE);
        String id = start(api, exec(new JsonObject().put("window", 15)));
        Controller owner = members.members.stream().filter(m -> m.ownership().isLocal(id)).findFirst().orElseThrow();
        await().atMost(DEADLINE).until(() -> {
            JsonObject counts = rollout(api, id).getJsonObject("counts");
            return counts.getInteger("succeeded") >= 30 && counts.getInteger("planned") > 60;
        });
        owner.halt();
        Controller survivor = members.members.stream().filter(m -> m != owner).findFirst().orElseThrow();
        ApiClient survivorApi = TestTokens.adminClient(survivor);
        JsonObject done = awaitState(survivorApi, id, "succeeded");
        assertThat(done.getJsonObject("counts").getInteger("succeeded")).isEqualTo(150);
        assertThat(simulator.runsExecutedMoreThanOnce()).isEmpty();
        for (String hostId : simulator.hostIds()) {
            assertThat(simulator.agent(hostId).executedRuns()).as(hostId).hasSize(1);
        }
        List<Controller> alive = members.members.stream().filter(m -> m != owner).toList();
        assertThat(alive.stream().anyMatch(m -> m.ownership().isLocal(id))).isTrue();
    }
}
