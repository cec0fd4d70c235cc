package io.muster.agent.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.task.lifecycle.AgentRestart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor with real processes: each "build" is a shell script that plays an agent (writes
 * the healthy mark like a welcomed agent, exits 75 when told to restart, or fails), so the loop,
 * the deadline and the rollback of files run for real and fast.
 */
class AgentSupervisorTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path data;

    private BuildSlots slots;
    private Path distribution;
    private Path starts;
    private final CompletableFuture<String> stop = new CompletableFuture<>();
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private Future<Integer> supervisor;

    @BeforeEach
    void setUp() throws IOException {
        slots = new BuildSlots(data);
        starts = data.resolve("starts.log");
        // The distribution's agent: welcomed at once; exits 75 when the test asks it to restart.
        distribution = script("dist", "A", "welcome", "restart-on-request");
    }

    @AfterEach
    void tearDown() throws Exception {
        stop.complete("test over");
        if (supervisor != null) {
            assertThat(supervisor.get(30, TimeUnit.SECONDS)).isZero();
        }
        thread.shutdownNow();
    }

    /**
     * A script agent: logs "<name> started" to starts.log; "welcome" writes the healthy mark;
     * "restart-on-request" exits 75 once the file restart-<name> appears; "exit1" exits 1 at once
     * after scribbling over the journal; "exit2" exits 2; otherwise it runs until SIGTERM.
     */
    private Path script(String file, String name, String... behaviour) throws IOException {
        List<String> b = List.of(behaviour);
        StringBuilder sh = new StringBuilder("#!/bin/sh\n")
                .append("echo '").append(name).append(" started' >> '").append(starts).append("'\n")
                .append("trap 'exit 0' TERM\n");
        if (b.contains("exit1")) {
            sh.append("echo garbage > '").append(data.resolve("journal")).append("'\nexit 1\n");
        }
        if (b.contains("exit2")) {
            sh.append("exit 2\n");
        }
        if (b.contains("welcome")) {
            sh.append("printf '").append(name).append("' > '").append(slots.dir().resolve("healthy")).append("'\n");
        }
        sh.append("while true; do\n");
        if (b.contains("restart-on-request")) {
            Path request = data.resolve("restart-" + name);
            sh.append("  if [ -f '").append(request).append("' ]; then rm '").append(request).append("'; exit ")
                    .append(AgentRestart.EXIT_CODE).append("; fi\n");
        }
        sh.append("  sleep 0.05\ndone\n");
        Path path = data.resolve(file + ".sh");
        Files.createDirectories(slots.dir());
        Files.writeString(path, sh.toString(), StandardCharsets.UTF_8);
        return path;
    }

    private void startSupervisor(Duration upgradeDeadline) {
        AgentSupervisor.Launcher launcher = build -> new ProcessBuilder("sh", build.orElse(distribution).toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        AgentSupervisor.Settings settings = new AgentSupervisor.Settings(upgradeDeadline, Duration.ofSeconds(5),
                Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(50));
        AgentSupervisor s = new AgentSupervisor(slots, launcher, settings, Clock.systemUTC());
        supervisor = thread.submit(() -> s.run(stop));
    }

    private List<String> started() throws IOException {
        return Files.exists(starts) ? Files.readAllLines(starts) : List.of();
    }

    /** What the agent does before it exits 75: download (here: copy), install, keep a handoff. */
    private void install(Path build, String version) throws IOException {
        Path staged = slots.staging(version);
        Files.copy(build, staged, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        slots.install(staged, version);
    }

    @Test
    void upgradeFromTheDistribution_newBuildWelcomed_staysAndIsConfirmed() throws Exception {
        Files.writeString(data.resolve("journal"), "journal of A");
        startSupervisor(DEADLINE);
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));

        install(script("b", "B", "welcome"), "B");
        assertThat(slots.healthyVersion()).isEmpty();
        Files.writeString(data.resolve("restart-A"), "");

        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started", "B started")));
        await().atMost(DEADLINE).until(() -> slots.pendingUpgrade().isEmpty());
        assertThat(slots.healthyVersion()).contains("B");
        assertThat(slots.currentBuild()).contains(slots.current());
        assertThat(Files.exists(slots.dir().resolve("rollback"))).isFalse();
        assertThat(slots.takeRollbackNote()).isEmpty();
    }

    @Test
    void brokenBuild_exitsBeforeAController_previousBuildAndJournalRestored_withTheReason() throws Exception {
        // A was itself installed earlier, so the rollback restores previous.jar (not the distribution).
        install(script("a", "A", "welcome", "restart-on-request"), "A");
        slots.confirm();
        Files.writeString(data.resolve("journal"), "journal of A");
        Files.createDirectories(data.resolve("lifecycle"));
        Files.writeString(data.resolve("lifecycle/handoff.json"), "{\"runId\":\"r1\"}");
        String buildA = Files.readString(slots.current());
        startSupervisor(DEADLINE);
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));

        install(script("broken", "broken", "exit1"), "9.9-broken");
        Files.writeString(data.resolve("restart-A"), "");

        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started", "broken started", "A started")));
        assertThat(Files.readString(slots.current())).isEqualTo(buildA);
        assertThat(Files.readString(data.resolve("journal"))).isEqualTo("journal of A");
        assertThat(Files.readString(data.resolve("lifecycle/handoff.json"))).isEqualTo("{\"runId\":\"r1\"}");
        assertThat(slots.pendingUpgrade()).isEmpty();
        assertThat(slots.takeRollbackNote()).contains("agent build 9.9-broken exited with code 1 before it reached a controller");
    }

    @Test
    void buildThatNeverReachesAController_isStoppedAtTheDeadline_andTheDistributionRunsAgain() throws Exception {
        startSupervisor(Duration.ofSeconds(1));
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));

        install(script("silent", "silent"), "2.0");
        Files.writeString(data.resolve("restart-A"), "");

        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started", "silent started", "A started")));
        assertThat(slots.currentBuild()).isEmpty();
        assertThat(slots.takeRollbackNote()).contains("agent build 2.0 did not reach a controller within 1 s");
        assertThat(slots.pendingUpgrade()).isEmpty();
    }

    @Test
    void crashedAgent_isRestarted_andAUsageErrorEndsTheSupervisor() throws Exception {
        distribution = script("crash", "crash", "exit1");
        startSupervisor(DEADLINE);
        await().atMost(DEADLINE).until(() -> started().size() >= 3);
        assertThat(started()).allMatch("crash started"::equals);
        stop.complete("enough");
        assertThat(supervisor.get(30, TimeUnit.SECONDS)).isZero();

        distribution = script("usage", "usage", "exit2");
        CompletableFuture<String> never = new CompletableFuture<>();
        AgentSupervisor s = new AgentSupervisor(slots, build -> new ProcessBuilder("sh", distribution.toString()).start(),
                AgentSupervisor.Settings.defaults(DEADLINE), Clock.systemUTC());
        assertThat(s.run(never)).isEqualTo(AgentSupervisor.USAGE_ERROR);
    }

    @Test
    void stop_endsTheRunningAgentWithSigterm() throws Exception {
        startSupervisor(DEADLINE);
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));
        Optional<ProcessHandle> agent = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(distribution.toString())).findFirst();
        assertThat(agent).isPresent();
        stop.complete("test asks");
        assertThat(supervisor.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(agent.get().isAlive()).isFalse();
    }
}
