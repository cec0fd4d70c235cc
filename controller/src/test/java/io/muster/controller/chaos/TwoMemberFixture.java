package io.muster.controller.chaos;

import static io.muster.controller.chaos.ClusterProbe.clusterSize;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two members for fault tests between members: A in the test's JVM, B a child JVM
 * ({@link MemberProcess}) that can be signalled; real agents, half owned by each (host ids picked
 * by partition owner), each given both members as seeds. Torn down after each test.
 */
abstract class TwoMemberFixture {

    static final Duration DETECTION = Duration.ofSeconds(2);
    /** Three silent heartbeats close a session: 2 s keeps a loaded machine's pauses from doing it. */
    static final Duration HEARTBEAT = Duration.ofSeconds(2);

    @TempDir
    Path temp;

    TestDatabase db;
    Controller a;
    MemberProcess b;
    ApiClient apiA;
    ApiClient apiB;
    /** The agents' host ids, those owned by A first. */
    final JsonArray hosts = new JsonArray();
    /** Host ids owned by A (first list) and by B (second list) when the agents started. */
    List<List<String>> owned;
    final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stopMembers() {
        agents.forEach(Agent::close);
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** Starts A, then B joining it, in a cluster named {@code prefix-<uuid>}; returns once both see two members. */
    void startMembers(String prefix) throws Exception {
        db = TestDatabase.create();
        String cluster = prefix + "-" + UUID.randomUUID();
        a = Controller.start(new ControllerConfig(db.url(), 0, 0, temp.resolve("a"), List.of(), 0, "127.0.0.1",
                cluster, DETECTION, HEARTBEAT));
        String token = TestTokens.admin(a);
        apiA = TestTokens.client(a, token);
        b = MemberProcess.start(db.url(), cluster, "127.0.0.1:" + a.hazelcastPort(), temp.resolve("b"), DETECTION, HEARTBEAT);
        apiB = new ApiClient("http://127.0.0.1:" + b.httpPort(), token);
        await().atMost(Duration.ofSeconds(60)).until(() -> clusterSize(apiA) == 2 && clusterSize(apiB) == 2);
    }

    /** Starts {@code perMember} real agents owned by each member; returns once each is on its owner. */
    void startAgents(int perMember) throws Exception {
        owned = hostIdsByOwner(perMember);
        List<String> seeds = List.of("127.0.0.1:" + a.grpcPort(), "127.0.0.1:" + b.grpcPort());
        for (List<String> ids : owned) {
            for (String id : ids) {
                Path dataDir = Files.createDirectories(temp.resolve("agent-" + id));
                Files.writeString(dataDir.resolve("host-id"), id + "\n");
                agents.add(new Agent(new AgentConfig(seeds, dataDir, HEARTBEAT, Duration.ofSeconds(1), null, null, null)).start());
                hosts.add(id);
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(this::everyAgentOnItsOwner);
    }

    private List<List<String>> hostIdsByOwner(int perMember) {
        List<String> onA = new ArrayList<>();
        List<String> onB = new ArrayList<>();
        while (onA.size() < perMember || onB.size() < perMember) {
            String id = UUID.randomUUID().toString();
            String owner = a.ownership().ownerIdOf(id);
            if (a.memberId().equals(owner) && onA.size() < perMember) {
                onA.add(id);
            } else if (b.memberId().equals(owner) && onB.size() < perMember) {
                onB.add(id);
            }
        }
        return List.of(onA, onB);
    }

    /**
     * Whether every agent is connected to the member that owns its host (in A's view) and A holds
     * a session for exactly the hosts it owns.
     */
    boolean everyAgentOnItsOwner() {
        for (Agent agent : agents) {
            String owner = a.ownership().ownerIdOf(agent.hostId());
            if (!agent.session().isConnected() || owner == null || !owner.equals(agent.session().memberId())) {
                return false;
            }
            if (owner.equals(a.memberId()) != a.sessions().find(agent.hostId()).isPresent()) {
                return false;
            }
        }
        return true;
    }
}
