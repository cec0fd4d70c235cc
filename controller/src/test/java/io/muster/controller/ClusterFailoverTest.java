package io.muster.controller;

import io.muster.testdb.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatedAgent;
import io.muster.agent.simulation.SimulatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 end to end: three real members on loopback, 300 simulated agents, PostgreSQL; members
 * killed, added and stopped gracefully while the fleet is connected.
 */
class ClusterFailoverTest {

    private static final int AGENTS = 300;
    private static final Duration HEARTBEAT = Duration.ofMillis(500);
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private TestDatabase database;
    private TestCluster cluster;
    private FleetSimulator fleet;

    @BeforeEach
    void startClusterAndFleet() {
        database = TestDatabase.create();
        cluster = new TestCluster(database.url(), temp, HEARTBEAT);
        for (int i = 0; i < 3; i++) {
            cluster.addMember();
        }
        fleet = FleetSimulator.start(new SimulatorConfig(cluster.grpcAddresses(), AGENTS, 7, 100, HEARTBEAT, 500,
                null, "sim-"));
        await().atMost(SETTLE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(cluster.unsettled(fleet)).isNull());
    }

    @AfterEach
    void stop() {
        if (fleet != null) {
            fleet.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void threeMembers_everyHostOnItsOwner_spreadEvenly() throws Exception {
        Map<String, Integer> spread = fleet.connectionsByMember();
        assertThat(spread).hasSize(3);
        for (int connected : spread.values()) {
            assertThat(connected).isBetween((int) (AGENTS / 3 * 0.7), (int) Math.ceil(AGENTS / 3 * 1.3));
        }
        for (Controller member : cluster.members()) {
            assertThat(member.sessions().size()).isEqualTo(spread.get(member.memberId()));
        }
        assertThat(cluster.offlineHosts()).isEmpty();
        // Every member's API shows the whole fleet with where each host is connected.
        String cluster = AgentControllerTest.http(this.cluster.members().get(2), "/api/v1/cluster");
        for (Controller member : this.cluster.members()) {
            assertThat(cluster).contains("\"id\":\"" + member.memberId() + "\"");
        }
        String hosts = AgentControllerTest.http(this.cluster.members().get(1), "/api/v1/hosts?limit=1000");
        assertThat(hosts.split("\"connectedTo\":\"m-", -1)).hasSize(AGENTS + 1);
    }

    @Test
    void memberKilled_everyHostRehomedWithin15Seconds_noneOfflineNoneTwice() throws Exception {
        Controller victim = cluster.members().get(1);
        Set<String> victimsHosts = Set.copyOf(victim.sessions().hostIds());
        assertThat(victimsHosts).isNotEmpty();

        long killedAt = System.nanoTime();
        cluster.kill(victim);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(cluster.unsettled(fleet)).isNull());
        long rehomedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

        for (String hostId : victimsHosts) {
            assertThat(fleet.agent(hostId).memberId()).isNotEqualTo(victim.memberId());
        }
        assertThat(fleet.connectionsByMember()).doesNotContainKey(victim.memberId()).hasSize(2);
        await().atMost(Duration.ofSeconds(15)).until(() -> cluster.offlineHosts().isEmpty());
        System.out.printf("%d agents of the killed member re-homed within %d ms%n", victimsHosts.size(), rehomedMs);
    }

    @Test
    void fourthMemberJoins_hostsMoveToNewOwners_noneShownOffline() throws Exception {
        Map<String, Integer> attemptsBefore = attempts();
        OfflineWatch watch = new OfflineWatch(cluster);
        Controller fourth;
        try {
            fourth = cluster.addMember();
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(cluster.unsettled(fleet)).isNull());
        } finally {
            watch.stop();
        }
        assertThat(watch.seenOffline()).as("hosts shown offline while partitions moved").isEmpty();
        assertThat(fourth.sessions().size()).isGreaterThan(AGENTS / 4 / 2);
        Map<String, Integer> attemptsAfter = attempts();
        for (SimulatedAgent agent : fleet.agents()) {
            int reconnects = attemptsAfter.get(agent.hostId()) - attemptsBefore.get(agent.hostId());
            // A moved host reconnects once (plus at most one bounce while partition tables converge).
            assertThat(reconnects).as("streams opened by %s", agent.hostId()).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void memberStoppedGracefully_handsItsHostsOver_noneShownOffline() throws Exception {
        Controller leaving = cluster.members().get(0);
        Set<String> leavingHosts = Set.copyOf(leaving.sessions().hostIds());
        OfflineWatch watch = new OfflineWatch(cluster);
        try {
            cluster.stopGracefully(leaving);
            await().atMost(SETTLE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(cluster.unsettled(fleet)).isNull());
        } finally {
            watch.stop();
        }
        assertThat(watch.seenOffline()).as("hosts shown offline during the hand-over").isEmpty();
        for (String hostId : leavingHosts) {
            assertThat(fleet.agent(hostId).memberId()).isNotEqualTo(leaving.memberId());
        }
    }

    private Map<String, Integer> attempts() {
        Map<String, Integer> attempts = new HashMap<>();
        for (SimulatedAgent agent : fleet.agents()) {
            attempts.put(agent.hostId(), agent.connectAttempts());
        }
        return attempts;
    }

    /** Samples the database for offline hosts while a change is under way. */
    private static final class OfflineWatch {
        private final Set<String> offline = ConcurrentHashMap.newKeySet();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

        OfflineWatch(TestCluster cluster) {
            sampler.scheduleWithFixedDelay(() -> {
                try {
                    offline.addAll(cluster.offlineHosts());
                } catch (Exception e) {
                    // A member being stopped can fail one sample; the next one uses another member.
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            sampler.shutdown();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
        }

        List<String> seenOffline() {
            return List.copyOf(offline);
        }
    }
}
