package io.muster.controller.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.task.Page;
import io.muster.controller.task.RunStatus;
import io.muster.controller.task.RunView;
import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskTarget;
import io.muster.controller.task.TaskView;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dispatch through owners on a 3-member cluster with hundreds of simulated agents (and the real
 * agent), including the loss of a member in the middle of a fan-out.
 */
class ClusterFanOutTest {

    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    private Members members;
    private FleetSimulator simulator;
    private Agent realAgent;

    @AfterEach
    void stop() {
        if (realAgent != null) {
            realAgent.close();
        }
        if (simulator != null) {
            simulator.close();
        }
        if (members != null) {
            members.close();
        }
    }

    static <T> T result(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private FleetSimulator simulate(int count, long seed, Duration taskDelay) {
        return FleetSimulator.start(new SimulatorConfig(members.grpcAddresses(), count, seed, 100, Members.HEARTBEAT,
                2000, taskDelay, "sim-"));
    }

    private static TaskRequest exec(TaskTarget target, String shell) {
        return new TaskRequest(target, TaskKind.EXEC, new JsonObject().put("shell", shell), 60, false);
    }

    private static List<RunView> allRuns(Controller member, UUID taskId) throws Exception {
        List<RunView> runs = new ArrayList<>();
        String cursor = null;
        do {
            Page<RunView> page = result(member.tasks().runs(taskId, null, 1000, cursor));
            runs.addAll(page.items());
            cursor = page.next();
        } while (cursor != null);
        return runs;
    }

    @Test
    void fanOutTo500SimulatedAgentsAndTheRealAgent_onThreeMembers_everyRunSucceedsWithItsResult() throws Exception {
        members = new Members(temp, 3);
        simulator = simulate(500, 41, Duration.ofMillis(50));
        realAgent = new Agent(new AgentConfig(members.grpcAddresses(), temp.resolve("real-agent"), Members.HEARTBEAT,
                Duration.ofSeconds(1), null, null, null)).start();
        await().atMost(DEADLINE).until(() -> simulator.connectedCount() == 500 && members.targetable(501));
        // Every member holds agents, so dispatch really crosses members.
        for (Controller member : members.members) {
            assertThat(member.sessions().size()).isPositive();
        }

        Controller accepting = members.members.get(1);
        var created = result(accepting.tasks().create(exec(new TaskTarget.BySelector(Selector.parse("hostname~*")),
                "echo real-$(hostname)")));
        assertThat(created.runs()).hasSize(501);

        await().atMost(DEADLINE).until(() -> result(accepting.tasks().find(created.taskId())).orElseThrow()
                .state().terminal());
        TaskView task = result(members.members.get(2).tasks().find(created.taskId())).orElseThrow();
        assertThat(task.state().apiName()).isEqualTo("succeeded");
        assertThat(task.counts().get(RunStatus.SUCCEEDED)).isEqualTo(501);
        assertThat(task.total()).isEqualTo(501);

        List<RunView> runs = allRuns(accepting, created.taskId());
        assertThat(runs).hasSize(501).allSatisfy(run -> {
            assertThat(run.state()).isEqualTo(RunStatus.SUCCEEDED);
            assertThat(run.stdout()).isNotEmpty();
            assertThat(run.finishedAt()).isNotNull();
        });
        RunView real = runs.stream().filter(r -> r.hostId().equals(realAgent.hostId())).findFirst().orElseThrow();
        assertThat(real.stdout()).startsWith("real-");
        assertThat(real.exitCode()).isZero();
        assertThat(simulator.runsExecutedMoreThanOnce()).isEmpty();
    }

    @Test
    void memberKilledDuringAFanOutTo300Hosts_everyRunTerminal_noneLost_noneExecutedTwice() throws Exception {
        members = new Members(temp, 3);
        simulator = simulate(300, 77, Duration.ofSeconds(2));
        await().atMost(DEADLINE).until(() -> simulator.connectedCount() == 300 && members.targetable(300));
        Controller doomed = members.members.get(2);
        assertThat(doomed.sessions().size()).isPositive();

        Controller accepting = members.members.get(0);
        var created = result(accepting.tasks().create(exec(new TaskTarget.ByHosts(simulator.hostIds()), "uptime")));
        // Runs are executing (2 s each) when the member dies without a hand-over.
        await().atMost(DEADLINE).until(() -> result(accepting.tasks().progress(created.taskId())).orElseThrow()
                .counts().get(RunStatus.RUNNING) > 0);
        doomed.halt();

        await().atMost(DEADLINE).until(() -> result(accepting.tasks().find(created.taskId())).orElseThrow()
                .state().terminal());
        TaskView task = result(accepting.tasks().find(created.taskId())).orElseThrow();
        assertThat(task.counts().get(RunStatus.SUCCEEDED)).isEqualTo(300);
        Set<String> hosts = new HashSet<>();
        for (RunView run : allRuns(accepting, created.taskId())) {
            assertThat(run.state()).isEqualTo(RunStatus.SUCCEEDED);
            hosts.add(run.hostId());
        }
        assertThat(hosts).containsExactlyInAnyOrderElementsOf(simulator.hostIds());
        assertThat(simulator.runsExecutedMoreThanOnce()).isEmpty();
        for (String hostId : simulator.hostIds()) {
            assertThat(simulator.agent(hostId).executedRuns()).containsOnlyKeys(
                    allRuns(accepting, created.taskId()).stream().filter(r -> r.hostId().equals(hostId))
                            .map(r -> r.runId().toString()).toArray(String[]::new));
        }
    }
}
