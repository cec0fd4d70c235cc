package io.muster.agent.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.session.GatewayPeer;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskAssignment;
import io.muster.proto.v1.TaskUpdate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {

    private static boolean ownedBySecond(String hostId) {
        return Math.floorMod(hostId.hashCode(), 2) == 1;
    }

    @Test
    void fleet_connectsToOwners_viaRedirects_executesEachRunOnce() throws Exception {
        try (GatewayPeer first = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 0, true))) {
            GatewayPeer[] second = new GatewayPeer[1];
            // The second member owns half of the hosts; it redirects the others to the first.
            second[0] = new GatewayPeer(0, hello -> ownedBySecond(hello.getHostId())
                    ? GatewayPeer.welcome("m2", 0, true)
                    : GatewayPeer.redirect(first.address()));
            SimulatorConfig config = new SimulatorConfig(List.of(second[0].address()), 200, 11, 50, Duration.ofSeconds(5),
                    2000, Duration.ofMillis(20), "sim-");
            try (FleetSimulator fleet = FleetSimulator.start(config)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> fleet.connectedCount() == 200);

                for (SimulatedAgent agent : fleet.agents()) {
                    assertThat(agent.memberId()).isEqualTo(ownedBySecond(agent.hostId()) ? "m2" : "m1");
                }
                assertThat(new HashSet<>(fleet.hostIds())).hasSize(200);
                assertThat(fleet.hostIds()).allMatch(id -> id.startsWith("sim-"));
                assertThat(first.received(AgentMessage.BodyCase.INVENTORY).size()
                        + second[0].received(AgentMessage.BodyCase.INVENTORY).size()).isEqualTo(200);
                Set<String> hostnames = new HashSet<>();
                first.received(AgentMessage.BodyCase.INVENTORY).forEach(m ->
                        hostnames.add(m.getInventory().getFactsMap().get("hostname").getText()));
                assertThat(hostnames).allMatch(h -> h.matches("(web|db|cache|batch|api)-(ldn1|nyc2|sfo3|fra1)-\\d{4}"));

                ControllerMessage assignment = ControllerMessage.newBuilder().setTaskAssignment(TaskAssignment.newBuilder()
                        .setRunId("run-x").setTaskId("task-x").setKind("exec")
                        .setSpec(Struct.newBuilder().putFields("command", Value.newBuilder().setListValue(
                                ListValue.newBuilder().addValues(Value.newBuilder().setStringValue("uptime"))).build()))).build();
                first.push(assignment);
                second[0].push(assignment);
                first.push(assignment);
                second[0].push(assignment);

                await().atMost(Duration.ofSeconds(30)).until(() -> terminalCount(first) + terminalCount(second[0]) >= 200);
                assertThat(fleet.runsExecutedMoreThanOnce()).isEmpty();
                assertThat(fleet.agents()).allMatch(a -> a.executions("run-x") == 1);
                TaskUpdate sample = first.received(AgentMessage.BodyCase.TASK_UPDATE).stream().map(AgentMessage::getTaskUpdate)
                        .filter(u -> u.getState() == RunState.RUN_STATE_SUCCEEDED).findFirst().orElseThrow();
                String out = first.received(AgentMessage.BodyCase.TASK_UPDATE).stream().map(AgentMessage::getTaskUpdate)
                        .filter(u -> u.getRunId().equals(sample.getRunId())).map(u -> u.getStdoutChunk().toStringUtf8())
                        .reduce("", String::concat);
                assertThat(out).contains("uptime").containsPattern("on (web|db|cache|batch|api)-");
            } finally {
                second[0].close();
            }
        }
    }

    @Test
    void hostIdsAndInventories_deterministicPerSeed() {
        assertThat(FleetSimulator.hostId("", 5, 17)).isEqualTo(FleetSimulator.hostId("", 5, 17))
                .isNotEqualTo(FleetSimulator.hostId("", 6, 17));
        assertThat(GeneratedInventory.generate(5, 17, "v")).isEqualTo(GeneratedInventory.generate(5, 17, "v"));
        assertThat(GeneratedInventory.generate(5, 17, "v").getDigest()).isNotEqualTo(GeneratedInventory.generate(5, 18, "v").getDigest());
        Set<Long> cores = new HashSet<>();
        Set<String> oses = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            var inventory = GeneratedInventory.generate(3, i, "v");
            cores.add(inventory.getFactsMap().get("cpu.cores").getInteger());
            oses.add(inventory.getOs().getFamily() + " " + inventory.getOs().getVersion());
            assertThat(inventory.getFactsMap()).containsKeys("dc", "role", "hostname", "mem.total_bytes", "net.primary_ip");
        }
        assertThat(cores).contains(4L, 128L);
        assertThat(oses).containsExactlyInAnyOrder("Debian GNU/Linux 11", "Debian GNU/Linux 12", "Ubuntu 22.04", "Ubuntu 24.04", "Rocky Linux 9");
    }

    private static long terminalCount(GatewayPeer peer) {
        return peer.received(AgentMessage.BodyCase.TASK_UPDATE).stream()
                .map(AgentMessage::getTaskUpdate)
                .filter(u -> u.getState() == RunState.RUN_STATE_SUCCEEDED)
                .map(TaskUpdate::getRunId)
                .count();
    }
}
