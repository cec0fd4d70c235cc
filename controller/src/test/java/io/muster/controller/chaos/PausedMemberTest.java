package io.muster.controller.chaos;

import static io.muster.controller.chaos.ClusterProbe.allSucceeded;
import static io.muster.controller.chaos.ClusterProbe.clusterSize;
import static io.muster.controller.chaos.ClusterProbe.everyAgentOnItsOwner;
import static io.muster.controller.chaos.ClusterProbe.hostIdsByOwner;
import static io.muster.controller.chaos.ClusterProbe.runs;
import static io.muster.controller.chaos.ClusterProbe.sessionsMapAgrees;
import static io.muster.controller.chaos.ClusterProbe.submit;
import static org.assertj.core.api.Assertions.assertThat;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: a member paused (SIGSTOP) for longer than failure detection, then resumed (SIGCONT), as
 * after a long GC pause or a VM its hypervisor stalled. The paused member is a child JVM
 * ({@link MemberProcess}); the other member runs in this JVM. Half of the real agents are owned by
 * each member (host ids chosen by partition owner). A task is running on every host when the
 * pause starts and a second one is accepted during the pause.
 *
 * <p>Checked after SIGCONT: both members see one cluster of two again; every run of both tasks
 * succeeded (0 lost) and executed once (one line each in a shared file: 0 twice); every agent is
 * connected to the member that owns its host and the sessions map says so; the agents then stay
 * put (no stale redirects bouncing them). The time from SIGCONT to all of that is printed.
 */
class PausedMemberTest {

    private static final Duration DETECTION = Duration.ofSeconds(2);
    /** Three silent heartbeats close a session: 2 s keeps a loaded machine's pauses from doing it. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration PAUSE = Duration.ofSeconds(8);
    private static final int PER_MEMBER = 3;

    @TempDir
    Path temp;

    private TestDatabase db;
    private Controller a;
    private MemberProcess b;
    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stop() {
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

    @Test
    void aMemberPausedPastFailureDetection_resumes_noRunLostOrTwice_everyAgentOnItsOwner() throws Exception {
        db = TestDatabase.create();
        String cluster = "pause-" + UUID.randomUUID();
        a = Controller.start(new ControllerConfig(db.url(), 0, 0, temp.resolve("a"), List.of(), 0, "127.0.0.1",
                cluster, DETECTION, HEARTBEAT));
        String token = TestTokens.admin(a);
        ApiClient apiA = TestTokens.client(a, token);
        b = MemberProcess.start(db.url(), cluster, "127.0.0.1:" + a.hazelcastPort(), temp.resolve("b"), DETECTION, HEARTBEAT);
        ApiClient apiB = new ApiClient("http://127.0.0.1:" + b.httpPort(), token);
        await().atMost(Duration.ofSeconds(60)).until(() -> clusterSize(apiA) == 2 && clusterSize(apiB) == 2);

        // Half the hosts on each member: pick host ids by the partition owner.
        List<List<String>> owned = hostIdsByOwner(a, b.memberId(), PER_MEMBER);
        List<String> onA = owned.get(0);
        List<String> onB = owned.get(1);
        JsonArray hosts = new JsonArray();
        List<String> seeds = List.of("127.0.0.1:" + a.grpcPort(), "127.0.0.1:" + b.grpcPort());
        for (String id : concat(onA, onB)) {
            Path dataDir = Files.createDirectories(temp.resolve("agent-" + id));
            Files.writeString(dataDir.resolve("host-id"), id + "\n");
            agents.add(new Agent(new AgentConfig(seeds, dataDir, HEARTBEAT, Duration.ofSeconds(1), null, null, null)).start());
            hosts.add(id);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> everyAgentOnItsOwner(a, agents));

        Path first = Files.createFile(temp.resolve("first"));
        Path second = Files.createFile(temp.resolve("second"));
        String running = submit(apiA, hosts, "sleep 3; echo ran >> " + first);
        await().atMost(Duration.ofSeconds(30)).until(() -> runs(apiA, running).stream()
                .allMatch(r -> "running".equals(r.getString("state"))));

        b.pause();
        long paused = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> clusterSize(apiA) == 1);
        Duration detected = Duration.ofNanos(System.nanoTime() - paused);
        String duringPause = submit(apiA, hosts, "echo ran >> " + second);
        long left = PAUSE.toMillis() - Duration.ofNanos(System.nanoTime() - paused).toMillis();
        if (left > 0) {
            Thread.sleep(left);
        }
        b.resume();
        long resumed = System.nanoTime();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> clusterSize(apiA) == 2 && clusterSize(apiB) == 2);
        Duration oneCluster = Duration.ofNanos(System.nanoTime() - resumed);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                a.ownership().settled() && allSucceeded(apiA, running) && allSucceeded(apiA, duringPause)
                        && everyAgentOnItsOwner(a, agents) && sessionsMapAgrees(apiA, agents));
        Duration recovered = Duration.ofNanos(System.nanoTime() - resumed);
        System.out.printf("paused member: %d ms to be declared dead; after %d ms of pause, SIGCONT: one cluster again"
                        + " %d ms later, every run terminal and every agent on its owner %d ms later%n",
                detected.toMillis(), Duration.ofNanos(resumed - paused).toMillis(), oneCluster.toMillis(),
                recovered.toMillis());

        int total = hosts.size();
        assertThat(runs(apiA, running)).as("0 runs lost").hasSize(total);
        assertThat(runs(apiA, duringPause)).as("0 runs lost").hasSize(total);
        assertThat(Files.readAllLines(first)).as("0 runs twice").hasSize(total);
        assertThat(Files.readAllLines(second)).as("0 runs twice").hasSize(total);

        // Partitions settled (no migration left) and every agent home: no member sends one elsewhere any
        // more (a stale redirect would bounce it).
        List<Integer> attempts = agents.stream().map(agent -> agent.session().connectAttempts()).toList();
        Thread.sleep(HEARTBEAT.multipliedBy(4).toMillis());
        assertThat(agents.stream().map(agent -> agent.session().connectAttempts()).toList()).isEqualTo(attempts);
        assertThat(everyAgentOnItsOwner(a, agents)).isTrue();
        assertThat(Files.readAllLines(first)).hasSize(total);
        assertThat(Files.readAllLines(second)).hasSize(total);
    }

    private static List<String> concat(List<String> x, List<String> y) {
        List<String> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
    }
}
