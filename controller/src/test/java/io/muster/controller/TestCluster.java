package io.muster.controller;

import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatedAgent;
import io.muster.controller.cluster.SessionEntry;
import io.muster.controller.store.HostRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Real controller members on loopback sharing one test database, with a random cluster name so
 * concurrent or leftover clusters never merge. Also reads the cluster's state for assertions.
 */
final class TestCluster implements AutoCloseable {

    static final Duration FAILURE_DETECTION = Duration.ofSeconds(2);

    private final String dbUrl;
    private final Path dataDir;
    private final Duration heartbeat;
    private final String name = "cluster-" + UUID.randomUUID();
    private final List<Controller> members = new ArrayList<>();

    TestCluster(String dbUrl, Path dataDir, Duration heartbeat) {
        this.dbUrl = dbUrl;
        this.dataDir = dataDir;
        this.heartbeat = heartbeat;
    }

    /** Starts one more member joining the ones running. */
    Controller addMember() {
        List<String> join = members.stream().map(m -> "127.0.0.1:" + m.hazelcastPort()).toList();
        Controller member = Controller.start(new ControllerConfig(dbUrl, 0, 0, dataDir.resolve("m" + members.size()),
                join, 0, "127.0.0.1", name, FAILURE_DETECTION, heartbeat));
        members.add(member);
        // Partitions keep moving for a while after a join; tests start from a settled cluster.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> member.ownership().settled());
        return member;
    }

    List<Controller> members() {
        return List.copyOf(members);
    }

    List<String> grpcAddresses() {
        return members.stream().map(m -> "127.0.0.1:" + m.grpcPort()).toList();
    }

    /** Kills a member: Hazelcast terminate and an abrupt gRPC shutdown, no hand-over. */
    void kill(Controller member) {
        members.remove(member);
        member.halt();
    }

    /** Stops a member gracefully (its agents are handed over). */
    void stopGracefully(Controller member) {
        members.remove(member);
        member.close();
    }

    /**
     * Why the cluster is not settled for these agents, or null when it is: every host connected
     * (per the simulator) to the member that owns it, held by that member only, and named by the
     * sessions map.
     */
    String unsettled(FleetSimulator fleet) {
        Controller any = members.get(0);
        Map<String, SessionEntry> directory = any.sessionDirectory().snapshot();
        Map<String, String> holders = new HashMap<>();
        for (Controller member : members) {
            for (String hostId : member.sessions().hostIds()) {
                String other = holders.put(hostId, member.memberId());
                if (other != null) {
                    return "host " + hostId + " has sessions on " + other + " and " + member.memberId();
                }
            }
        }
        for (SimulatedAgent agent : fleet.agents()) {
            String hostId = agent.hostId();
            String owner = any.ownership().ownerIdOf(hostId);
            if (owner == null) {
                return "no owner known for " + hostId;
            }
            if (!agent.connected() || !owner.equals(agent.memberId())) {
                return "agent " + hostId + " connected=" + agent.connected() + " to " + agent.memberId() + ", owner " + owner;
            }
            if (!owner.equals(holders.get(hostId))) {
                return "host " + hostId + " held by " + holders.get(hostId) + ", owner " + owner;
            }
            SessionEntry entry = directory.get(hostId);
            if (entry == null || !owner.equals(entry.memberId())) {
                return "sessions map says " + entry + " for " + hostId + ", owner " + owner;
            }
        }
        if (holders.size() != fleet.agents().size()) {
            return holders.size() + " sessions for " + fleet.agents().size() + " agents";
        }
        return null;
    }

    /** Hosts recorded offline in the database right now. */
    List<String> offlineHosts() throws Exception {
        List<String> offline = new ArrayList<>();
        String cursor = null;
        do {
            var page = members.get(0).hosts().list(null, 1000, cursor).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            for (HostRecord host : page.items()) {
                if (!"online".equals(host.state())) {
                    offline.add(host.id());
                }
            }
            cursor = page.next();
        } while (cursor != null);
        return offline;
    }

    @Override
    public void close() {
        for (Controller member : List.copyOf(members)) {
            member.close();
        }
        members.clear();
    }
}
