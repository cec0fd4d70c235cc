package io.muster.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.map.IMap;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatedAgent;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.cluster.ClusterMember;
import io.muster.controller.cluster.SessionEntry;
import io.muster.testdb.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sessions map after a split-brain merge (docs/faults.md, the 400-host chaos run): every agent
 * stays connected, but the map lost entries of live sessions (the merge kept the other side's
 * map, a late departure purge removed them), names the wrong member, or still names a member for
 * sessions that ended during the split. Three real members, 60 simulated agents; the map is
 * corrupted the way a merge leaves it, through the IMap directly, and every member must repair
 * its own part within its reconcile period, with nothing else happening (no agent reconnects).
 */
class SessionsMapRepairTest {

    private static final int AGENTS = 60;
    private static final Duration HEARTBEAT = Duration.ofMillis(500);

    @TempDir
    Path temp;

    private TestDatabase database;
    private TestCluster cluster;
    private FleetSimulator fleet;

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
    void entriesLostOverwrittenOrLeftOver_eachMemberReassertsItsSessions_withinTheReconcilePeriod() {
        database = TestDatabase.create();
        cluster = new TestCluster(database.url(), temp, HEARTBEAT);
        for (int i = 0; i < 3; i++) {
            cluster.addMember();
        }
        fleet = FleetSimulator.start(new SimulatorConfig(cluster.grpcAddresses(), AGENTS, 11, 100, HEARTBEAT, 500,
                null, "repair-"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(cluster.unsettled(fleet)).isNull());
        Map<String, Integer> attemptsBefore = attempts();

        List<Controller> members = cluster.members();
        IMap<String, SessionEntry> sessions = Hazelcast.getHazelcastInstanceByName("muster-" + members.get(0).memberId())
                .getMap(ClusterMember.SESSIONS_MAP);
        List<String> hostsOf0 = members.get(0).sessions().hostIds();
        List<String> hostsOf1 = members.get(1).sessions().hostIds();
        assertThat(hostsOf0).hasSizeGreaterThan(4);
        assertThat(hostsOf1).hasSizeGreaterThan(4);
        // Lost: the merge kept the side that never had them, or a late purge of a member that is back.
        for (String hostId : hostsOf0.subList(0, hostsOf0.size() / 2)) {
            sessions.delete(hostId);
        }
        // Wrong member: the other side's entry of a session that side no longer holds.
        for (String hostId : hostsOf1.subList(0, 3)) {
            sessions.set(hostId, new SessionEntry(members.get(2).memberId(), 1));
        }
        // An older session of the holder itself.
        sessions.set(hostsOf1.get(3), new SessionEntry(members.get(1).memberId(), 1));
        // Left over: entries of member 0 for hosts it holds no session of (ended during the split).
        sessions.set("repair-gone-1", new SessionEntry(members.get(0).memberId(), 1));
        sessions.set(hostsOf1.get(4), new SessionEntry(members.get(0).memberId(), 1));
        assertThat(mismatches()).isNotEmpty();

        Duration period = members.get(0).gateway().settings().reconcileEvery();
        await().atMost(period.multipliedBy(2).plusSeconds(5)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(mismatches()).isEmpty());

        assertThat(attempts()).as("repaired without moving any agent").isEqualTo(attemptsBefore);
        double repaired = 0;
        for (Controller member : members) {
            repaired += member.meterRegistry().get("muster.sessions.repaired").counters().stream()
                    .mapToDouble(counter -> counter.count()).sum();
        }
        assertThat(repaired).isGreaterThanOrEqualTo(hostsOf0.size() / 2 + 6);
        assertThat(cluster.unsettled(fleet)).isNull();
    }

    /**
     * What the map gets wrong: a connected agent whose entry does not name the member holding its
     * stream, with that session's connectedSince, or an entry naming a member that holds no stream
     * of the host.
     */
    private List<String> mismatches() {
        Map<String, SessionEntry> map = cluster.members().get(2).sessionDirectory().snapshot();
        Map<String, String> holders = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        for (Controller member : cluster.members()) {
            for (String hostId : member.sessions().hostIds()) {
                holders.put(hostId, member.memberId());
                long since = member.sessions().find(hostId).map(session -> session.connectedSinceMs()).orElse(0L);
                SessionEntry entry = map.get(hostId);
                if (entry == null || !entry.equals(new SessionEntry(member.memberId(), since))) {
                    wrong.add(hostId + " held by " + member.memberId() + " since " + since + ", map: " + entry);
                }
            }
        }
        map.forEach((hostId, entry) -> {
            if (!entry.memberId().equals(holders.get(hostId))) {
                wrong.add(hostId + " named on " + entry.memberId() + ", held by " + holders.get(hostId));
            }
        });
        for (SimulatedAgent agent : fleet.agents()) {
            if (!agent.connected()) {
                wrong.add(agent.hostId() + " not connected");
            }
        }
        return wrong;
    }

    private Map<String, Integer> attempts() {
        Map<String, Integer> attempts = new HashMap<>();
        for (SimulatedAgent agent : fleet.agents()) {
            attempts.put(agent.hostId(), agent.connectAttempts());
        }
        return attempts;
    }
}
