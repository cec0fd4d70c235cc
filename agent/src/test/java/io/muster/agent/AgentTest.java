package io.muster.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.session.GatewayPeer;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskAssignment;
import io.muster.proto.v1.TaskUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentTest {

    @TempDir
    Path dir;

    private AgentConfig config(GatewayPeer controller) throws Exception {
        Path bootId = Files.writeString(dir.resolve("boot_id"), "boot-a\n");
        return new AgentConfig(List.of(controller.address()), dir.resolve("data"), Duration.ofMillis(200), Duration.ofSeconds(1),
                bootId, null, null);
    }

    @Test
    void agent_connects_reportsInventory_runsExec_andKeepsItsIdentityAcrossRestarts() throws Exception {
        try (GatewayPeer controller = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 0, true))) {
            AgentConfig config = config(controller);
            String hostId;
            try (Agent agent = new Agent(config).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.session().isConnected());
                hostId = agent.hostId();
                assertThat(Files.readString(config.dataDir().resolve("host-id")).trim()).isEqualTo(hostId);
                var hello = controller.hellos.get(0);
                assertThat(hello.getHostId()).isEqualTo(hostId);
                assertThat(hello.getBootId()).isEqualTo("boot-a");
                assertThat(hello.getInventoryDigest()).isEqualTo(agent.inventory().getDigest());
                await().atMost(Duration.ofSeconds(10)).until(() -> !controller.received(AgentMessage.BodyCase.INVENTORY).isEmpty());
                assertThat(controller.received(AgentMessage.BodyCase.INVENTORY).get(0).getInventory().getFactsMap()
                        .get("cpu.logical").getInteger()).isEqualTo(Runtime.getRuntime().availableProcessors());
                await().atMost(Duration.ofSeconds(10)).until(() -> controller.received(AgentMessage.BodyCase.HEARTBEAT).size() >= 2);

                controller.push(ControllerMessage.newBuilder().setTaskAssignment(TaskAssignment.newBuilder()
                        .setRunId("run-1").setTaskId("t").setKind("exec")
                        .setSpec(Struct.newBuilder().putFields("shell", Value.newBuilder().setStringValue("echo from-agent").build()))).build());
                await().atMost(Duration.ofSeconds(20)).until(() -> controller.received(AgentMessage.BodyCase.TASK_UPDATE).stream()
                        .anyMatch(m -> m.getTaskUpdate().getState() == RunState.RUN_STATE_SUCCEEDED));
                String out = controller.received(AgentMessage.BodyCase.TASK_UPDATE).stream().map(AgentMessage::getTaskUpdate)
                        .map(TaskUpdate::getStdoutChunk).map(b -> b.toStringUtf8()).reduce("", String::concat);
                assertThat(out).isEqualTo("from-agent\n");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> controller.streams.isEmpty());
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("muster-agent") && t.isAlive());

            try (Agent again = new Agent(config).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> again.session().isConnected());
                assertThat(again.hostId()).isEqualTo(hostId);
                // The unacknowledged updates of the first life are sent again.
                await().atMost(Duration.ofSeconds(10)).until(() -> controller.received(AgentMessage.BodyCase.TASK_UPDATE).stream()
                        .filter(m -> m.getTaskUpdate().getState() == RunState.RUN_STATE_SUCCEEDED).count() == 2);
            }
        }
    }
}
