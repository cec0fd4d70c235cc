package io.muster.agent.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.proto.v1.Ack;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Heartbeat;
import io.muster.proto.v1.InventoryRequest;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskAssignment;
import io.muster.proto.v1.TaskUpdate;
import io.muster.proto.v1.UpdateRef;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentSessionTest {

    private static final Duration FAST = Duration.ofMillis(50);

    @TempDir
    Path dir;

    @Test
    void connect_helloDescribesAgent_inventoryOnRequest_heartbeatsFlow() throws Exception {
        try (GatewayPeer controller = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 100, true));
             SessionFixture agent = new SessionFixture(dir, List.of(controller.address()), FAST, Duration.ofSeconds(1), Duration.ofSeconds(10))) {
            agent.session.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> controller.received(AgentMessage.BodyCase.HEARTBEAT).size() >= 3);
            assertThat(agent.session.isConnected()).isTrue();
            assertThat(agent.session.memberId()).isEqualTo("m1");
            var hello = controller.hellos.get(0);
            assertThat(hello.getHostId()).isEqualTo("host-1");
            assertThat(hello.getBootId()).isEqualTo("boot-1");
            assertThat(hello.getHostname()).isEqualTo(agent.inventory.get().getFactsMap().get("hostname").getText());
            assertThat(hello.getInventoryDigest()).isEqualTo(agent.inventory.get().getDigest());
            assertThat(hello.getCapabilitiesList()).contains("exec", "inventory-delta", "output-streaming");
            assertThat(controller.received(AgentMessage.BodyCase.INVENTORY)).singleElement()
                    .satisfies(m -> assertThat(m.getInventory()).isEqualTo(agent.inventory.get()));
            List<Heartbeat> beats = controller.received(AgentMessage.BodyCase.HEARTBEAT).stream().map(AgentMessage::getHeartbeat).toList();
            assertThat(beats).extracting(Heartbeat::getSequence).startsWith(1L, 2L, 3L);
            assertThat(beats.get(0).getLoad1()).isEqualTo(0.5);
            assertThat(beats.get(0).getUptimeSeconds()).isEqualTo(1234);

            controller.push(ControllerMessage.newBuilder().setInventoryRequest(InventoryRequest.newBuilder().setReason("test")).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> controller.received(AgentMessage.BodyCase.INVENTORY).size() == 2);
        }
    }

    @Test
    void inventoryChanged_whileConnected_sendsDeltaFromTheReportedDigest() throws Exception {
        try (GatewayPeer controller = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 0, false));
             SessionFixture agent = new SessionFixture(dir, List.of(controller.address()), FAST, Duration.ofSeconds(1), Duration.ofSeconds(10))) {
            agent.session.start();
            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);
            var before = agent.inventory.get();
            var after = io.muster.agent.inventory.InventoryDigest.seal(before.toBuilder()
                    .putFacts("mem.total_bytes", io.muster.agent.inventory.Facts.integer(1)).build());
            agent.inventory.set(after);

            agent.session.inventoryChanged(before, after);

            await().atMost(Duration.ofSeconds(10)).until(() -> !controller.received(AgentMessage.BodyCase.INVENTORY_DELTA).isEmpty());
            var delta = controller.received(AgentMessage.BodyCase.INVENTORY_DELTA).get(0).getInventoryDelta();
            assertThat(delta.getBaseDigest()).isEqualTo(before.getDigest());
            assertThat(delta.getDigest()).isEqualTo(after.getDigest());
            assertThat(delta.getSetFactsMap()).containsOnlyKeys("mem.total_bytes");
            assertThat(controller.received(AgentMessage.BodyCase.INVENTORY)).as("controller had the digest").isEmpty();
        }
    }

    @Test
    void redirect_followedAtOnce_withoutBackoff() throws Exception {
        try (GatewayPeer owner = new GatewayPeer(0, hello -> GatewayPeer.welcome("owner", 0, false));
             GatewayPeer other = new GatewayPeer(0, hello -> GatewayPeer.redirect(owner.address()));
             // Any backoff would be at least a minute long here: reaching the owner in time proves there was none.
             SessionFixture agent = new SessionFixture(dir, List.of(other.address()), Duration.ofMinutes(1), Duration.ofMinutes(5),
                     Duration.ofSeconds(10))) {
            agent.session.start();

            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);
            assertThat(agent.session.memberId()).isEqualTo("owner");
            assertThat(other.hellos).hasSize(1);
            assertThat(owner.hellos).hasSize(1);
        }
    }

    @Test
    void redirectToAnOwnerThatIsGone_retriedSoon_withoutGrowingTheBackoff() throws Exception {
        String gone;
        try (ServerSocket socket = new ServerSocket(0)) {
            gone = "127.0.0.1:" + socket.getLocalPort();
        }
        // A member that still names the dead owner for its first three Hellos (partitions moving),
        // then takes the host itself.
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        try (GatewayPeer member = new GatewayPeer(0, hello -> asked.incrementAndGet() <= 3
                     ? GatewayPeer.redirect(gone) : GatewayPeer.welcome("new-owner", 0, false));
             // A backoff step here would draw up to a minute: reconnecting within seconds after three
             // failed owners proves those failures did not go through it.
             SessionFixture agent = new SessionFixture(dir, List.of(member.address()), Duration.ofMinutes(1), Duration.ofMinutes(5),
                     Duration.ofSeconds(10))) {
            agent.session.start();

            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);
            assertThat(agent.session.memberId()).isEqualTo("new-owner");
            assertThat(member.hellos).hasSize(4);
        }
    }

    @Test
    void redirectLoop_fallsBackToBackoff() throws Exception {
        try (GatewayPeer loop = new GatewayPeer(0, hello -> null)) {
            GatewayPeer[] self = new GatewayPeer[1];
            try (GatewayPeer looping = new GatewayPeer(0, hello -> GatewayPeer.redirect(self[0].address()));
                 SessionFixture agent = new SessionFixture(dir, List.of(looping.address()), Duration.ofMinutes(1), Duration.ofMinutes(5),
                         Duration.ofSeconds(10))) {
                self[0] = looping;
                agent.session.start();

                await().atMost(Duration.ofSeconds(10)).until(() -> looping.hellos.size() >= 6);
                // 1 initial + 5 followed redirects; the 6th redirect in a row is treated as a failure with backoff.
                await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5)).until(() -> looping.hellos.size() == 6);
                assertThat(agent.session.isConnected()).isFalse();
            }
        }
    }

    @Test
    void controllerGoesAwayAndComesBack_sessionReconnects() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        try (SessionFixture agent = new SessionFixture(dir, List.of(address), FAST, Duration.ofMillis(400), Duration.ofSeconds(10))) {
            GatewayPeer first = new GatewayPeer(port, hello -> GatewayPeer.welcome("first", 0, false));
            agent.session.start();
            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);

            first.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !agent.session.isConnected());
            try (GatewayPeer second = new GatewayPeer(port, hello -> GatewayPeer.welcome("second", 0, false))) {
                await().atMost(Duration.ofSeconds(15)).until(() -> "second".equals(agent.session.memberId()));
                assertThat(second.hellos).isNotEmpty();
            }
        }
    }

    @Test
    void permissionDenied_isFinal_refusalVisible_noMoreReconnects() throws Exception {
        try (GatewayPeer controller = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 0, false));
             SessionFixture agent = new SessionFixture(dir, List.of(controller.address()), FAST, Duration.ofMillis(100), Duration.ofSeconds(10))) {
            controller.refuseWith = io.grpc.Status.PERMISSION_DENIED.withDescription("host is decommissioned");
            agent.session.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> agent.session.refusal() != null);
            assertThat(agent.session.refusal()).contains("PERMISSION_DENIED").contains("host is decommissioned");
            // With a 100 ms backoff cap, a retrying session would have said Hello again several times by now.
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> controller.hellos.size() == 1);
            assertThat(agent.session.isConnected()).isFalse();
        }
    }

    @Test
    void otherRefusals_retriedWithBackoff_untilWelcomed() throws Exception {
        try (GatewayPeer controller = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 0, false));
             SessionFixture agent = new SessionFixture(dir, List.of(controller.address()), FAST, Duration.ofMillis(100), Duration.ofSeconds(10))) {
            controller.refuseWith = io.grpc.Status.RESOURCE_EXHAUSTED.withDescription("inventory too large");
            agent.session.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> controller.hellos.size() >= 3);

            controller.refuseWith = null;

            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);
            assertThat(agent.session.refusal()).isNull();
        }
    }

    @Test
    void memberBusy_refusal_backsOffAndRetries_untilWelcomed() throws Exception {
        try (GatewayPeer controller = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 0, false));
             SessionFixture agent = new SessionFixture(dir, List.of(controller.address()), FAST, Duration.ofMillis(100), Duration.ofSeconds(10))) {
            controller.refuseWith = io.grpc.Status.UNAVAILABLE.withDescription("member busy: 2000 connects in flight; retry");
            agent.session.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> controller.hellos.size() >= 3);
            assertThat(agent.session.isConnected()).isFalse();
            assertThat(agent.session.refusal()).as("busy is not a final refusal").isNull();

            controller.refuseWith = null;

            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);
        }
    }

    @Test
    void welcomeDeadline_defaultIsGenerous() {
        java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            SessionSettings settings = SessionSettings.of(scheduler, null, null, null, null);
            assertThat(settings.welcomeTimeout()).isEqualTo(Duration.ofSeconds(30));
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void noWelcome_countsAsFailure_andRetries() throws Exception {
        try (GatewayPeer silent = new GatewayPeer(0, hello -> null);
             SessionFixture agent = new SessionFixture(dir, List.of(silent.address()), FAST, Duration.ofMillis(200), Duration.ofMillis(300))) {
            agent.session.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> silent.hellos.size() >= 3);
            assertThat(agent.session.isConnected()).isFalse();
        }
    }

    @Test
    void taskAssignment_executedOnce_updatesJournaledUntilAcked_redeliveryAnsweredWithFinalUpdate() throws Exception {
        Path marker = dir.resolve("count");
        TaskAssignment assignment = TaskAssignment.newBuilder().setRunId("run-1").setTaskId("t").setKind("exec")
                .setSpec(Struct.newBuilder().putFields("command", Value.newBuilder().setListValue(ListValue.newBuilder()
                        .addValues(Value.newBuilder().setStringValue("sh"))
                        .addValues(Value.newBuilder().setStringValue("-c"))
                        .addValues(Value.newBuilder().setStringValue("echo ran >> " + marker + "; echo done"))).build()))
                .build();
        try (GatewayPeer controller = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 0, false));
             SessionFixture agent = new SessionFixture(dir.resolve("agent"), List.of(controller.address()), FAST, Duration.ofSeconds(1),
                     Duration.ofSeconds(10))) {
            agent.session.start();
            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);

            controller.push(ControllerMessage.newBuilder().setTaskAssignment(assignment).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> terminal(controller) != null);
            TaskUpdate terminal = terminal(controller);
            assertThat(terminal.getState()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
            assertThat(agent.journal.unacknowledgedCount()).isPositive();

            List<UpdateRef> refs = controller.received(AgentMessage.BodyCase.TASK_UPDATE).stream()
                    .map(m -> UpdateRef.newBuilder().setRunId(m.getTaskUpdate().getRunId()).setSequence(m.getTaskUpdate().getSequence()).build())
                    .toList();
            controller.push(ControllerMessage.newBuilder().setAck(Ack.newBuilder().addAllUpdates(refs)).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.journal.unacknowledgedCount() == 0);

            controller.push(ControllerMessage.newBuilder().setTaskAssignment(assignment).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> controller.received(AgentMessage.BodyCase.TASK_UPDATE).stream()
                    .filter(m -> m.getTaskUpdate().equals(terminal)).count() == 2);
            assertThat(Files.readAllLines(marker)).containsExactly("ran");
        }
    }

    @Test
    void unacknowledgedUpdates_resentAfterReconnect() throws Exception {
        TaskAssignment assignment = TaskAssignment.newBuilder().setRunId("run-2").setTaskId("t").setKind("exec")
                .setSpec(Struct.newBuilder().putFields("shell", Value.newBuilder().setStringValue("echo hi").build())).build();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (SessionFixture agent = new SessionFixture(dir, List.of("127.0.0.1:" + port), FAST, Duration.ofMillis(300), Duration.ofSeconds(10))) {
            GatewayPeer first = new GatewayPeer(port, hello -> GatewayPeer.welcome("first", 0, false));
            agent.session.start();
            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);
            first.push(ControllerMessage.newBuilder().setTaskAssignment(assignment).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> terminal(first) != null);
            List<TaskUpdate> sentFirst = first.received(AgentMessage.BodyCase.TASK_UPDATE).stream().map(AgentMessage::getTaskUpdate).toList();
            first.close();

            try (GatewayPeer second = new GatewayPeer(port, hello -> GatewayPeer.welcome("second", 0, false))) {
                await().atMost(Duration.ofSeconds(15)).until(() -> second.received(AgentMessage.BodyCase.TASK_UPDATE).size() == sentFirst.size());
                assertThat(second.received(AgentMessage.BodyCase.TASK_UPDATE)).extracting(AgentMessage::getTaskUpdate)
                        .containsExactlyElementsOf(sentFirst);
            }
        }
    }

    @Test
    void slowController_backpressure_updatesNeverDropped_heartbeatsCoalesced() throws Exception {
        TaskAssignment noisy = TaskAssignment.newBuilder().setRunId("noisy").setTaskId("t").setKind("exec")
                .setOutputLimitBytes(16L << 20)
                .setSpec(Struct.newBuilder().putFields("shell", Value.newBuilder()
                        .setStringValue("for i in 1 2 3 4 5 6; do head -c 1048576 /dev/zero | tr '\\0' a; sleep 0.2; done").build())).build();
        try (GatewayPeer controller = new GatewayPeer(0, hello -> GatewayPeer.welcome("m1", 20, false));
             SessionFixture agent = new SessionFixture(dir, List.of(controller.address()), FAST, Duration.ofSeconds(1), Duration.ofSeconds(10))) {
            controller.holdAfterHello();
            agent.session.start();
            await().atMost(Duration.ofSeconds(10)).until(agent.session::isConnected);
            controller.push(ControllerMessage.newBuilder().setTaskAssignment(noisy).build());
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.journal.finalUpdate("noisy").isPresent());
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.journal.lastSequence("noisy") == 0);
            assertThat(controller.received(AgentMessage.BodyCase.TASK_UPDATE)).as("controller is not reading").isEmpty();

            controller.release();

            await().atMost(Duration.ofSeconds(30)).until(() -> terminal(controller) != null);
            List<TaskUpdate> updates = controller.received(AgentMessage.BodyCase.TASK_UPDATE).stream().map(AgentMessage::getTaskUpdate).toList();
            assertThat(updates).extracting(TaskUpdate::getSequence)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, updates.size()).boxed().toList());
            long bytes = updates.stream().mapToLong(u -> u.getStdoutChunk().size()).sum();
            assertThat(bytes).isEqualTo(6L << 20);
            List<Long> beats = controller.received(AgentMessage.BodyCase.HEARTBEAT).stream().map(m -> m.getHeartbeat().getSequence()).toList();
            assertThat(beats).isSorted();
            assertThat(beats.get(beats.size() - 1)).as("heartbeats produced while the stream was not ready were coalesced")
                    .isGreaterThan(beats.size());
        }
    }

    private static TaskUpdate terminal(GatewayPeer controller) {
        return controller.received(AgentMessage.BodyCase.TASK_UPDATE).stream()
                .map(AgentMessage::getTaskUpdate)
                .filter(u -> u.getState() != RunState.RUN_STATE_RUNNING)
                .findFirst().orElse(null);
    }
}
