package io.muster.controller.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.replicatedmap.ReplicatedMap;
import com.hazelcast.spi.properties.ClusterProperty;
import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.sealing.SealedColumns;
import io.muster.controller.sealing.SealingKey;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.task.RunRef;
import io.muster.controller.task.RunSweeper;
import io.muster.controller.task.TaskHeader;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.Serializable;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rogue Hazelcast member: a plain HazelcastInstance that joins a real member's cluster with the
 * right cluster name (all open-source Hazelcast asks) and sends what members send each other, for
 * a host connected to the real member with a real agent. It must make no agent run anything and
 * see no secret: members deserialize only their own message classes, and a share names run ids
 * that the receiver looks up in PostgreSQL.
 *
 * <p>The rogue is a lite member (no partitions), so the host stays owned, and connected, where it
 * is; a full rogue member could take partitions and move agents about (a denial of service that
 * the firewall rule in docs/security.md answers), which is not what this test is about.
 */
class RogueMemberTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller member;
    private static HazelcastInstance rogue;
    private static Agent agent;
    private static String offlineHost;
    private static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.create();
        String cluster = "rogue-" + UUID.randomUUID();
        member = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("member"), List.of(), 0,
                "127.0.0.1", cluster, Duration.ofSeconds(15), Duration.ofSeconds(1)), RunSweeper.Settings.DEFAULTS);
        api = TestTokens.adminClient(member);
        // A host that is known but offline (every real agent on this machine has the same host
        // id, so it is written as enrollment would): tasks for it stay pending, with their secrets.
        offlineHost = "offline-" + UUID.randomUUID();
        database.execute("INSERT INTO hosts (id, hostname, state) VALUES ('" + offlineHost + "', 'away', 'offline')");
        agent = startAgent("agent");
        rogue = Hazelcast.newHazelcastInstance(rogueConfig(cluster, member.hazelcastPort()));
        await().atMost(DEADLINE).until(() -> rogue.getCluster().getMembers().size() == 2);
    }

    @AfterAll
    static void stop() {
        if (rogue != null) {
            rogue.getLifecycleService().terminate();
        }
        if (agent != null) {
            agent.close();
        }
        if (member != null) {
            member.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private static Agent startAgent(String dir) {
        Agent started = new Agent(new AgentConfig(List.of("127.0.0.1:" + member.grpcPort()), temp.resolve(dir),
                Duration.ofSeconds(1), Duration.ofSeconds(1), null, null, null)).start();
        await().atMost(DEADLINE).until(() -> member.sessions().find(started.hostId()).isPresent());
        return started;
    }

    /** Nothing but the cluster name and an address: what anyone on the network could write. */
    private static Config rogueConfig(String cluster, int memberPort) {
        Config config = new Config();
        config.setClusterName(cluster);
        config.setInstanceName("rogue-" + UUID.randomUUID());
        config.setLiteMember(true);
        config.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
        config.setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), "1");
        // Heartbeats as often as the members' own, or they drop the rogue as dead within seconds.
        config.setProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(), "1");
        config.setProperty(ClusterProperty.LOGGING_TYPE.getName(), "slf4j");
        config.getNetworkConfig().setPort(memberPort + 1).setPortAutoIncrement(true);
        var join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + memberPort));
        return config;
    }

    private static Member realMember() {
        return rogue.getCluster().getMembers().stream().filter(m -> !m.localMember()).findFirst().orElseThrow();
    }

    private static JsonObject shell(String hostId, String script) {
        return new JsonObject()
                .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("shell", script))
                .put("timeoutSeconds", 30);
    }

    private static String createTask(JsonObject request) {
        ApiClient.Answer answer = api.post("/api/v1/tasks", request.encode());
        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        return new JsonObject(answer.body()).getString("id");
    }

    private static void awaitSucceeded(String taskId) {
        await().atMost(DEADLINE).until(() -> new JsonObject(api.get("/api/v1/tasks/" + taskId).body())
                .getString("state"), "succeeded"::equals);
    }

    private static UUID onlyRunId(String taskId) {
        JsonArray items = new JsonObject(api.get("/api/v1/tasks/" + taskId + "/runs").body()).getJsonArray("items");
        assertThat(items).hasSize(1);
        return UUID.fromString(items.getJsonObject(0).getString("runId"));
    }

    /**
     * The agent works through its stream in order: once a task sent after the forgery has run,
     * whatever the forgery had pushed earlier has had its turn as well.
     */
    private static void afterALegitimateTask(String name) throws Exception {
        Path done = temp.resolve(name);
        awaitSucceeded(createTask(shell(agent.hostId(), "touch " + done)));
        assertThat(done).exists();
    }

    @Test
    void forgedCallableOfItsOwn_isRefusedBeforeAnyOfItsCodeRuns() throws Exception {
        Path marker = temp.resolve("forged-callable-ran");
        ForgedAssignment.RAN.set(false);
        var future = rogue.getExecutorService(ClusterDispatch.EXECUTOR)
                .submitToMember(new ForgedAssignment(agent.hostId(), marker.toString()), realMember());

        assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasStackTraceContaining("is not allowed");
        afterALegitimateTask("after-forged-callable");
        assertThat(ForgedAssignment.RAN).isFalse();
        assertThat(marker).doesNotExist();
    }

    @Test
    void forgedShareOfRunIds_pushesOnlyWhatPostgresHolds_andNoSecretReachesTheCluster() throws Exception {
        // A finished run of the connected host (a replay), and a pending run with a secret of a
        // host that is offline (the rogue would like it pushed to the connected one).
        Path counter = temp.resolve("replay-counter");
        String finished = createTask(shell(agent.hostId(), "echo ran >> " + counter));
        awaitSucceeded(finished);
        Path stolen = temp.resolve("offline-host-task-ran");
        String pending = createTask(shell(offlineHost, "touch " + stolen));
        String secret = "s3cret-" + UUID.randomUUID();
        // Stored as the member stores secrets: sealed with its key (next to its data dir).
        String sealed = SealingKey.loadOrCreate(ControllerConfig.defaultSecretsKeyFile(temp.resolve("member")))
                .seal(new JsonObject().put("password", secret).encode(), SealedColumns.taskSecrets(UUID.fromString(pending)));
        database.execute("UPDATE tasks SET secrets = '" + sealed + "' WHERE id = '" + pending + "'");

        List<UUID> forged = List.of(UUID.randomUUID(), onlyRunId(finished), onlyRunId(pending));
        Integer accepted = rogue.getExecutorService(ClusterDispatch.EXECUTOR)
                .submitToMember(new MemberShare(new RunBundle(forged), 0), realMember()).get(30, TimeUnit.SECONDS);
        assertThat(accepted).isEqualTo(3);

        afterALegitimateTask("after-forged-share");
        assertThat(Files.readAllLines(counter)).containsExactly("ran");
        assertThat(stolen).doesNotExist();
        JsonObject pendingTask = new JsonObject(api.get("/api/v1/tasks/" + pending).body());
        assertThat(pendingTask.getString("state")).isEqualTo("pending");

        // What a member can read from the cluster holds no secret and no task content.
        for (DistributedObject object : rogue.getDistributedObjects()) {
            List<Object> values = new ArrayList<>();
            if (object instanceof IMap<?, ?> map) {
                values.addAll(map.values());
            } else if (object instanceof ReplicatedMap<?, ?> map) {
                values.addAll(map.values());
            }
            assertThat(values.toString()).as(object.getName()).doesNotContain(secret).doesNotContain("touch");
        }
    }

    @Test
    void forgedRevocation_isIgnored_aRealOneIsNot() {
        rogue.getTopic("muster-revoked-hosts").publish(agent.hostId());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> member.sessions().find(agent.hostId()).isPresent()
                        && !member.security().revocations().isRevoked(agent.hostId()));

        // A revocation PostgreSQL holds (written here behind the member's back, as another member
        // would) is acted on: from the topic, or at the latest from the periodic refresh.
        String revoked = "revoked-" + UUID.randomUUID();
        database.execute("INSERT INTO revoked_hosts (host_id, actor) VALUES ('" + revoked + "', 'test')");
        rogue.getTopic("muster-revoked-hosts").publish(revoked);
        await().atMost(Duration.ofSeconds(15)).until(() -> member.security().revocations().isRevoked(revoked));
    }

    @Test
    void memberPort_listensOnTheAdvertisedAddressOnly() throws Exception {
        Optional<InetAddress> other = otherLocalAddress();
        Assumptions.assumeTrue(other.isPresent(), "this machine has no non-loopback IPv4 address");
        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress("127.0.0.1", member.hazelcastPort()), 2000);
        }
        try (Socket outside = new Socket()) {
            assertThatThrownBy(() -> outside.connect(new InetSocketAddress(other.get(), member.hazelcastPort()), 2000))
                    .isInstanceOf(ConnectException.class);
        }
    }

    private static Optional<InetAddress> otherLocalAddress() throws Exception {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * What the rogue would like a member to execute: an assignment it wrote itself, pushed to the
     * host's stream through whatever dispatch object it finds on the member. Before the
     * deserialization filter and ids-only shares this ran, and the agent touched the marker.
     */
    static final class ForgedAssignment implements Callable<Integer>, Serializable, HazelcastInstanceAware {
        private static final long serialVersionUID = 1L;
        static final AtomicBoolean RAN = new AtomicBoolean();
        private final String hostId;
        private final String marker;
        private transient HazelcastInstance hazelcast;

        ForgedAssignment(String hostId, String marker) {
            this.hostId = hostId;
            this.marker = marker;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance instance) {
            this.hazelcast = instance;
        }

        @Override
        public Integer call() {
            RAN.set(true);
            TaskHeader forged = new TaskHeader(UUID.randomUUID(), "exec",
                    new JsonObject().put("shell", "touch " + marker).encode(), 30, false, "{}");
            int pushed = 0;
            for (Object value : hazelcast.getUserContext().values()) {
                if (value instanceof LocalDelivery delivery) {
                    pushed += delivery.assign(forged, List.of(new RunRef(UUID.randomUUID(), hostId)), 0);
                }
            }
            return pushed;
        }
    }
}
