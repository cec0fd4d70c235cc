package io.muster.controller;

import io.muster.testdb.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.agent.inventory.InventoryDigest;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.store.HostRecord;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Heartbeat;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.Nic;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2 end to end: the real agent against a real controller over loopback, PostgreSQL
 * underneath (the test server, or the embedded one where the test says so).
 */
class AgentControllerTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private TestDatabase database;
    private Controller controller;
    private Agent agent;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    static ControllerConfig config(String dbUrl, Path dataDir, int grpcPort) {
        return new ControllerConfig(dbUrl, grpcPort, 0, dataDir, List.of(), 0, "127.0.0.1",
                "test-" + UUID.randomUUID(), Duration.ofSeconds(3), HEARTBEAT);
    }

    private Agent startAgent(int grpcPort, Path dataDir) {
        return new Agent(new AgentConfig(List.of("127.0.0.1:" + grpcPort), dataDir, HEARTBEAT,
                Duration.ofSeconds(1), null, null, null)).start();
    }

    private Optional<HostRecord> find(Controller member, String hostId) throws Exception {
        return member.hosts().find(hostId).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void agentReports_inventoryLandsWithFacts_deltaUpdatesIt_heartbeatsMoveLastSeen() throws Exception {
        database = TestDatabase.create();
        controller = Controller.start(config(database.url(), temp.resolve("controller"), 0));
        agent = startAgent(controller.grpcPort(), temp.resolve("agent"));
        String hostId = agent.hostId();

        await().atMost(DEADLINE).until(() -> find(controller, hostId)
                .filter(h -> h.digest() != null && h.digest().equals(agent.inventory().getDigest())).isPresent());
        HostRecord stored = find(controller, hostId).orElseThrow();
        assertThat(stored.state()).isEqualTo("online");
        assertThat(((Number) stored.facts().get("cpu.logical")).intValue())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(stored.facts()).containsKeys("hostname", "os.family", "mem.total_bytes");
        assertThat(stored.inventory().getJsonObject("cpu")).isNotNull();
        assertThat(controller.sessions().find(hostId)).isPresent();

        // A delta: a new NIC and a new fact; the agent computes and sends the delta itself.
        Inventory before = agent.inventory();
        Inventory after = InventoryDigest.seal(before.toBuilder()
                .addNics(Nic.newBuilder().setName("test0").setMac("02:00:00:00:00:01").addIpv4("10.9.9.9"))
                .putFacts("test.marker", Fact.newBuilder().setText("delta-applied").build())
                .build());
        agent.session().inventoryChanged(before, after);
        await().atMost(DEADLINE).until(() -> after.getDigest().equals(find(controller, hostId).orElseThrow().digest()));
        HostRecord updated = find(controller, hostId).orElseThrow();
        assertThat(updated.facts()).containsEntry("test.marker", "delta-applied");
        assertThat(updated.inventory().getJsonArray("nics").encode()).contains("10.9.9.9");
        assertThat(updated.facts().get("cpu.logical")).isEqualTo(stored.facts().get("cpu.logical"));

        // Heartbeats move last_seen forward through the batched flush.
        Instant seen = find(controller, hostId).orElseThrow().lastSeen();
        await().atMost(DEADLINE).until(() -> find(controller, hostId).orElseThrow().lastSeen().isAfter(seen));

        // The API serves the host with the member it is connected to; the metrics count what arrived.
        String host = http(controller, "/api/v1/hosts/" + hostId);
        assertThat(host).contains("\"connectedTo\":\"" + controller.memberId() + "\"").contains("\"state\":\"online\"");
        String metrics = http(controller, "/metrics");
        assertThat(metrics).contains("muster_connected_agents 1.0").contains("muster_inventory_updates_total 2.0");
        assertThat(metric(metrics, "muster_heartbeats_received_total")).isGreaterThan(0);
    }

    @Test
    void controllerRestart_onEmbeddedDatabase_agentReconnectsByItself_dataSurvived() throws Exception {
        int grpcPort = freePort();
        Path dataDir = temp.resolve("controller");
        controller = Controller.start(config(null, dataDir, grpcPort));
        agent = startAgent(grpcPort, temp.resolve("agent"));
        String hostId = agent.hostId();
        await().atMost(DEADLINE).until(() -> find(controller, hostId).map(HostRecord::digest).isPresent());
        Instant firstSeen = find(controller, hostId).orElseThrow().firstSeen();

        controller.close();
        controller = null;
        controller = Controller.start(config(null, dataDir, grpcPort));
        Instant restarted = Instant.now();

        // The data survived: the host is there before its agent is back, and recorded offline.
        HostRecord survived = find(controller, hostId).orElseThrow();
        assertThat(survived.firstSeen()).isEqualTo(firstSeen);
        assertThat(survived.digest()).isEqualTo(agent.inventory().getDigest());
        assertThat(survived.facts()).containsKey("cpu.logical");

        // The agent comes back by itself and the host is online again.
        await().atMost(DEADLINE).until(() -> controller.sessions().find(hostId).isPresent());
        await().atMost(DEADLINE).until(() -> {
            HostRecord now = find(controller, hostId).orElseThrow();
            return "online".equals(now.state()) && now.lastSeen().isAfter(restarted.minusSeconds(1));
        });
    }

    @Test
    void badInput_isRefusedWithAReason_whileAHealthyAgentStaysServed() throws Exception {
        database = TestDatabase.create();
        controller = Controller.start(config(database.url(), temp.resolve("controller"), 0));
        agent = startAgent(controller.grpcPort(), temp.resolve("agent"));
        String healthy = agent.hostId();
        await().atMost(DEADLINE).until(() -> find(controller, healthy).map(HostRecord::digest).isPresent());
        String address = "127.0.0.1:" + controller.grpcPort();

        try (RawAgentStream noId = new RawAgentStream(address)) {
            noId.sendHello(RawAgentStream.hello(""));
            Status status = noId.awaitEnd(DEADLINE);
            assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(status.getDescription()).isEqualTo("hello.host_id is required");
        }
        try (RawAgentStream noHello = new RawAgentStream(address)) {
            noHello.send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSequence(1)).build());
            Status status = noHello.awaitEnd(DEADLINE);
            assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(status.getDescription()).contains("first message").contains("Hello");
        }
        // Opened and left silent: closed once the Hello is overdue, not held open for ever.
        RawAgentStream silent = new RawAgentStream(address);
        try {
            long opened = System.nanoTime();
            Status status = silent.awaitEnd(io.muster.controller.auth.AgentAdmission.HELLO_TIMEOUT.plus(DEADLINE));
            assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(status.getDescription()).contains("no Hello within 30 s");
            assertThat(Duration.ofNanos(System.nanoTime() - opened))
                    .isGreaterThanOrEqualTo(io.muster.controller.auth.AgentAdmission.HELLO_TIMEOUT.minusSeconds(1));
        } finally {
            silent.close();
        }
        String bigHost = "raw-" + UUID.randomUUID();
        try (RawAgentStream oversized = new RawAgentStream(address)) {
            oversized.sendHello(RawAgentStream.hello(bigHost));
            ControllerMessage welcome = oversized.next(DEADLINE);
            assertThat(welcome.getWelcome().getInventoryRequired()).isTrue();
            Inventory huge = Inventory.newBuilder().setDigest("huge")
                    .putFacts("padding", Fact.newBuilder().setText("x".repeat((1 << 20) + 1000)).build()).build();
            oversized.send(AgentMessage.newBuilder().setInventory(huge).build());
            Status status = oversized.awaitEnd(DEADLINE);
            assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(status.getDescription())
                    .isEqualTo("inventory is " + huge.getSerializedSize() + " bytes; the limit is 1048576");
        }
        assertThat(find(controller, bigHost).orElseThrow().digest()).isNull();

        // The healthy agent was served all along and still is.
        assertThat(controller.sessions().find(healthy)).isPresent();
        Instant seen = find(controller, healthy).orElseThrow().lastSeen();
        await().atMost(DEADLINE).until(() -> find(controller, healthy).orElseThrow().lastSeen().isAfter(seen));
        assertThat(find(controller, healthy).orElseThrow().state()).isEqualTo("online");
    }

    static String http(Controller member, String path) {
        ApiClient.Answer response = TestTokens.adminClient(member).get(path);
        assertThat(response.status()).as("GET %s", path).isEqualTo(200);
        return response.body();
    }

    private static double metric(String text, String name) {
        return text.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
