package io.muster.controller.chaos;

import static io.muster.controller.chaos.ClusterProbe.allSucceeded;
import static io.muster.controller.chaos.ClusterProbe.clusterSize;
import static io.muster.controller.chaos.ClusterProbe.runs;
import static io.muster.controller.chaos.ClusterProbe.sessionsMapAgrees;
import static io.muster.controller.chaos.ClusterProbe.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.controller.api.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

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
class PausedMemberTest extends TwoMemberFixture {

    private static final Duration PAUSE = Duration.ofSeconds(8);
    private static final int PER_MEMBER = 3;

    @Test
    void aMemberPausedPastFailureDetection_resumes_noRunLostOrTwice_everyAgentOnItsOwner() throws Exception {
        startMembers("pause");
        startAgents(PER_MEMBER);

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
                        && everyAgentOnItsOwner() && sessionsMapAgrees(apiA, agents));
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
        await().during(HEARTBEAT.multipliedBy(4)).atMost(HEARTBEAT.multipliedBy(8))
                .until(() -> agents.stream().map(agent -> agent.session().connectAttempts()).toList().equals(attempts));
        assertThat(everyAgentOnItsOwner()).isTrue();
        assertThat(Files.readAllLines(first)).hasSize(total);
        assertThat(Files.readAllLines(second)).hasSize(total);
    }
}
