package io.muster.controller.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.simulation.FailingHosts;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.store.Await;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: {@code kill -9} of the member that owns a rollout, mid-rollout. Three members: two in
 * this JVM, the owner a JVM of its own ({@link MemberProcess}) killed with a real SIGKILL; 60
 * simulated agents spread over all three. The rollout (waves of 5, one wave after another) is
 * created with an id whose Hazelcast partition the child owns, so the child executes it from its
 * first step; it is killed once some waves finished and more are planned.
 *
 * <p>Checked: a survivor records the next step within seconds of the kill (failure detection 10 s
 * plus its next scan); the rollout succeeds on every host; every host has exactly one run of the
 * rollout and no agent executed a run twice; every wave has one step, waves only go up with the
 * steps, and every wave the survivor started comes after every wave the dead owner started (no
 * finished wave repeated). The timeline is printed (ROLLOUT REPORT lines; docs/rollout.md quotes
 * a run).
 */
class KilledRolloutOwnerTest {

    /** Longer than the default 5 s: on a loaded machine a shorter one suspects live members before the kill. */
    private static final Duration DETECTION = Duration.ofSeconds(10);
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    /** A survivor's first step after the kill comes within this (detection 10 s + migration + a scan, on a loaded machine). */
    private static final Duration RESUMED_WITHIN = Duration.ofSeconds(30);
    private static final int HOSTS = 60;
    private static final int WAVE = 5;

    @TempDir
    Path temp;

    private TestDatabase db;
    private final List<Controller> members = new ArrayList<>();
    private MemberProcess owner;
    private FleetSimulator simulator;

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
        if (owner != null) {
            owner.close();
        }
        members.forEach(Controller::close);
        if (db != null) {
            db.close();
        }
    }

    @Test
    void owningMemberKilled9MidRollout_aSurvivorResumesWithinSeconds_noHostTwice_noWaveRepeated() throws Exception {
        db = TestDatabase.create();
        String cluster = "rollout-kill-" + UUID.randomUUID();
        Controller a = member(cluster, List.of());
        member(cluster, List.of("127.0.0.1:" + a.hazelcastPort()));
        owner = MemberProcess.start(db.url(), cluster, "127.0.0.1:" + a.hazelcastPort(), temp.resolve("owner"), DETECTION, HEARTBEAT);
        ApiClient api = TestTokens.adminClient(a);
        await().atMost(DEADLINE).until(() -> ClusterProbe.clusterSize(api) == 3
                && members.stream().allMatch(m -> m.ownership().settled()));

        simulator = FleetSimulator.start(new SimulatorConfig(List.of("127.0.0.1:" + a.grpcPort(),
                "127.0.0.1:" + members.get(1).grpcPort(), "127.0.0.1:" + owner.grpcPort()), HOSTS, 23, 20, HEARTBEAT, 500,
                Duration.ofMillis(400), "kro-"), FailingHosts.NONE);
        await().atMost(DEADLINE).until(() -> simulator.connectedCount() == HOSTS
                && db.count("SELECT count(*) FROM hosts WHERE lifecycle = 'ready'") == HOSTS);

        // An id of the child's partition: the child owns the rollout from its first step.
        UUID id = UUID.randomUUID();
        while (!owner.memberId().equals(a.ownership().ownerIdOf(id.toString()))) {
            id = UUID.randomUUID();
        }
        JsonObject request = new JsonObject().put("target", new JsonObject().put("hosts", new JsonArray(simulator.hostIds())))
                .put("kind", "exec").put("spec", new JsonObject().put("shell", "apply-change")).put("timeoutSeconds", 60)
                .put("strategy", new JsonObject().put("waves", new JsonArray().add(WAVE)));
        Await.result(a.rollouts().create(id, a.rollouts().parser().parse(request)));
        String rollout = id.toString();

        await().atMost(DEADLINE).until(() -> {
            JsonObject counts = view(api, rollout).getJsonObject("counts");
            return counts.getInteger("succeeded") >= 3 * WAVE && counts.getInteger("planned") >= 4 * WAVE;
        });
        owner.kill();
        long killed = System.nanoTime();
        int stepsAtKill = steps(rollout).size();
        assertThat(steps(rollout)).extracting(Step::recordedBy).containsOnly(owner.memberId());

        await().atMost(RESUMED_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(() -> steps(rollout).stream().anyMatch(step -> !step.recordedBy().equals(owner.memberId())));
        Duration resumed = Duration.ofNanos(System.nanoTime() - killed);
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> view(api, rollout).getString("state"),
                "succeeded"::equals);
        Duration finished = Duration.ofNanos(System.nanoTime() - killed);

        JsonObject done = view(api, rollout);
        assertThat(done.getJsonObject("counts").getInteger("succeeded")).isEqualTo(HOSTS);
        // No host twice: one run of the rollout per host in PostgreSQL, and no agent executed a run twice.
        assertThat(db.count("SELECT count(*) FROM runs WHERE task_id IN (SELECT task_id FROM rollout_steps WHERE rollout_id = '"
                + rollout + "')")).isEqualTo(HOSTS);
        assertThat(db.count("SELECT count(DISTINCT host_id) FROM runs WHERE task_id IN (SELECT task_id FROM rollout_steps "
                + "WHERE rollout_id = '" + rollout + "')")).isEqualTo(HOSTS);
        assertThat(simulator.runsExecutedMoreThanOnce()).isEmpty();
        for (String hostId : simulator.hostIds()) {
            assertThat(simulator.agent(hostId).executedRuns()).as(hostId).hasSize(1);
        }
        // No finished wave repeated: one step per wave, waves rising with the steps, the survivor's after the dead owner's.
        List<Step> steps = steps(rollout);
        assertThat(steps).hasSize(HOSTS / WAVE);
        for (int i = 1; i < steps.size(); i++) {
            assertThat(steps.get(i).wave()).as("steps %s", steps).isGreaterThan(steps.get(i - 1).wave());
        }
        int lastByOwner = steps.stream().filter(s -> s.recordedBy().equals(owner.memberId())).mapToInt(Step::wave).max().orElseThrow();
        assertThat(steps.stream().filter(s -> !s.recordedBy().equals(owner.memberId())).mapToInt(Step::wave).min().orElseThrow())
                .isGreaterThan(lastByOwner);
        assertThat(members.stream().anyMatch(m -> m.ownership().isLocal(rollout))).isTrue();

        System.out.printf("ROLLOUT REPORT %d hosts in waves of %d on 3 members; owner %s (child JVM, pid %d) killed with SIGKILL"
                + " after %d steps%n", HOSTS, WAVE, owner.memberId(), owner.pid(), stepsAtKill);
        System.out.printf("ROLLOUT REPORT first step by a survivor %d ms after the kill; succeeded %d ms after it%n",
                resumed.toMillis(), finished.toMillis());
        for (Step step : steps) {
            System.out.printf("ROLLOUT REPORT   step %2d wave %2d: %d hosts, recorded by %s%s%n", step.step(), step.wave(),
                    step.hosts(), step.recordedBy(), step.recordedBy().equals(owner.memberId()) ? " (killed)" : "");
        }
        System.out.printf("ROLLOUT REPORT %d runs of the rollout, on %d distinct hosts; runs executed twice: %s%n",
                db.count("SELECT count(*) FROM runs WHERE task_id IN (SELECT task_id FROM rollout_steps WHERE rollout_id = '"
                        + rollout + "')"), HOSTS, simulator.runsExecutedMoreThanOnce());
    }

    private record Step(int step, int wave, int hosts, String recordedBy) {
    }

    private List<Step> steps(String rollout) throws Exception {
        List<Step> steps = new ArrayList<>();
        try (Connection connection = db.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT step, wave, hosts, recorded_by FROM rollout_steps WHERE rollout_id = '"
                     + rollout + "' AND kind = 'run' ORDER BY step")) {
            while (rows.next()) {
                steps.add(new Step(rows.getInt(1), rows.getInt(2), rows.getInt(3), rows.getString(4)));
            }
        }
        return steps;
    }

    private static JsonObject view(ApiClient api, String id) {
        return api.get("/api/v1/rollouts/" + id).json();
    }

    private Controller member(String cluster, List<String> join) {
        Controller member = Controller.start(new ControllerConfig(db.url(), 0, 0, temp.resolve("m" + members.size()), join, 0,
                "127.0.0.1", cluster, DETECTION, HEARTBEAT));
        members.add(member);
        return member;
    }
}
