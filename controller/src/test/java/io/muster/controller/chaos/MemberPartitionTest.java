package io.muster.controller.chaos;

import static io.muster.controller.chaos.ClusterProbe.allSucceeded;
import static io.muster.controller.chaos.ClusterProbe.clusterSize;
import static io.muster.controller.chaos.ClusterProbe.localSessions;
import static io.muster.controller.chaos.ClusterProbe.runs;
import static io.muster.controller.chaos.ClusterProbe.sessionsMapAgrees;
import static io.muster.controller.chaos.ClusterProbe.submit;
import static io.muster.controller.chaos.ClusterProbe.succeededOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.controller.api.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Fault: a network partition between the two members of a cluster, then healed. The traffic of
 * their Hazelcast ports is dropped with nftables ({@link HazelcastPartition}); agents, API
 * clients and PostgreSQL still reach both. Member B is a child JVM ({@link MemberProcess}),
 * member A runs in this JVM; half of the real agents are owned by each. During the split each
 * member accepts a task to every host.
 *
 * <p>Checked: during the split, each side runs its own agents' share of the task it accepted;
 * after healing, one cluster of two; every run of both tasks succeeded (0 lost) and executed once
 * (a line each in a shared file: 0 twice); every agent connected to exactly one member, its
 * owner, and both members' sessions maps name that member; the agents then stay put. The time
 * from healing to one consistent cluster is printed.
 */
class MemberPartitionTest extends TwoMemberFixture {

    private static final Duration SPLIT = Duration.ofSeconds(8);
    private static final int PER_MEMBER = 2;

    private final HazelcastPartition partition = new HazelcastPartition();

    /** Before the members stop (JUnit runs this before the fixture's teardown). */
    @AfterEach
    void removeRules() throws Exception {
        partition.heal();
    }

    @Test
    void membersSplitThenHealed_eachSideServesItsAgents_oneClusterAgain_noRunLostOrTwice_everyAgentOnOneMember()
            throws Exception {
        startMembers("split");
        startAgents(PER_MEMBER);

        try {
            partition.split(List.of(a.hazelcastPort(), b.hazelcastPort()));
        } catch (IOException e) {
            String why = "cannot drop the members' traffic with nftables (needs root): " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why, e);
            }
            Assumptions.abort(why);
        }
        long split = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> clusterSize(apiA) == 1 && clusterSize(apiB) == 1);
        Duration detected = Duration.ofNanos(System.nanoTime() - split);

        // Each side accepts a task to every host and runs it on the agents it holds.
        Path fromA = Files.createFile(temp.resolve("from-a"));
        Path fromB = Files.createFile(temp.resolve("from-b"));
        String taskA = submit(apiA, hosts, "echo ran >> " + fromA);
        String taskB = submit(apiB, hosts, "echo ran >> " + fromB);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> succeededOn(apiA, taskA, owned.get(0)) && succeededOn(apiB, taskB, owned.get(1)));
        Duration servedDuringSplit = Duration.ofNanos(System.nanoTime() - split);
        assertThat(clusterSize(apiA)).as("still split when each side had run its share").isEqualTo(1);
        assertThat(clusterSize(apiB)).as("still split when each side had run its share").isEqualTo(1);
        long left = SPLIT.toMillis() - Duration.ofNanos(System.nanoTime() - split).toMillis();
        if (left > 0) {
            Thread.sleep(left);
        }

        partition.heal();
        long healed = System.nanoTime();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> clusterSize(apiA) == 2 && clusterSize(apiB) == 2);
        Duration oneCluster = Duration.ofNanos(System.nanoTime() - healed);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() ->
                a.ownership().settled() && allSucceeded(apiA, taskA) && allSucceeded(apiA, taskB)
                        && everyAgentOnItsOwner() && onExactlyOneMember(apiB)
                        && sessionsMapAgrees(apiA, agents) && sessionsMapAgrees(apiB, agents));
        Duration consistent = Duration.ofNanos(System.nanoTime() - healed);
        System.out.printf("partition: split seen by both members %d ms after the drop; each side ran its agents' share"
                        + " %d ms after the drop; after %d ms of split, healed: one cluster %d ms later, every run terminal,"
                        + " every agent on exactly one member (its owner) and both sessions maps agreeing %d ms later%n",
                detected.toMillis(), servedDuringSplit.toMillis(), Duration.ofNanos(healed - split).toMillis(),
                oneCluster.toMillis(), consistent.toMillis());

        int total = hosts.size();
        assertThat(runs(apiA, taskA)).as("0 runs lost").hasSize(total);
        assertThat(runs(apiA, taskB)).as("0 runs lost").hasSize(total);
        assertThat(Files.readAllLines(fromA)).as("0 runs twice").hasSize(total);
        assertThat(Files.readAllLines(fromB)).as("0 runs twice").hasSize(total);

        // Settled: no member sends an agent elsewhere any more (a stale redirect would bounce one).
        List<Integer> attempts = agents.stream().map(agent -> agent.session().connectAttempts()).toList();
        Thread.sleep(HEARTBEAT.multipliedBy(4).toMillis());
        assertThat(agents.stream().map(agent -> agent.session().connectAttempts()).toList()).isEqualTo(attempts);
        assertThat(everyAgentOnItsOwner()).isTrue();
        assertThat(onExactlyOneMember(apiB)).isTrue();
        assertThat(Files.readAllLines(fromA)).hasSize(total);
        assertThat(Files.readAllLines(fromB)).hasSize(total);
    }

    /**
     * Whether the members hold one session per agent between them: A's own sessions (which
     * {@link ClusterProbe#everyAgentOnItsOwner} matches to the hosts A owns) plus B's live count.
     */
    private boolean onExactlyOneMember(ApiClient apiB) {
        long onB = agents.stream().filter(agent -> b.memberId().equals(agent.session().memberId())).count();
        return a.sessions().size() + localSessions(apiB) == agents.size() && localSessions(apiB) == onB;
    }
}
