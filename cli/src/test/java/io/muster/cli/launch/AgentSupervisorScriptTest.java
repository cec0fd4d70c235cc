package io.muster.cli.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.task.lifecycle.AgentRestart;
import io.muster.agent.upgrade.BuildSlots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's supervisor script ({@code agent-supervisor.sh}) with real processes and files. Its
 * "java" here is a shell script that runs the "build" the supervisor chose: the first entry of
 * CLASSPATH when it is {@code current.jar}, else the distribution. Each build is itself a shell
 * script that plays an agent (confirms the upgrade like a welcomed agent, exits 75 when told to
 * restart, fails, or hangs), so the loop, the deadline and the rollback of files run for real and
 * fast. {@code AgentUpgradeEndToEndTest} does the same with real agent JVMs and a controller.
 */
class AgentSupervisorScriptTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private Path data;
    private BuildSlots slots;
    private Path starts;
    private Path distribution;
    private Process supervisor;

    @BeforeEach
    void setUp() throws IOException {
        data = temp.resolve("data");
        slots = new BuildSlots(data);
        Files.createDirectories(slots.dir());
        starts = temp.resolve("starts.log");
        // The distribution's agent: welcomed at once; exits 75 when the test asks it to restart.
        distribution = build("dist", "A", "confirm", "restart-on-request");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (supervisor != null && supervisor.isAlive()) {
            supervisor.destroy();
            assertThat(supervisor.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * A build: logs "<name> started" and its arguments' last word to starts.log; "confirm" deletes
     * the pending mark and the kept state like a welcomed agent (BuildSlots.confirm);
     * "restart-on-request" exits 75 once the file restart-<name> appears; "exit1" scribbles over
     * the journal and exits 1; "exit2" exits 2; "exit0" exits 0; otherwise it runs until SIGTERM.
     */
    private Path build(String file, String name, String... behaviour) throws IOException {
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
        if (b.contains("exit0")) {
            sh.append("exit 0\n");
        }
        if (b.contains("confirm")) {
            // In BuildSlots.confirm's order: the kept state first, then the pending mark.
            sh.append("rm -rf '").append(slots.dir().resolve("rollback")).append("' '")
                    .append(slots.dir().resolve("pending")).append("'\n");
        }
        sh.append("while true; do\n");
        if (b.contains("restart-on-request")) {
            Path request = temp.resolve("restart-" + name);
            sh.append("  if [ -f '").append(request).append("' ]; then rm '").append(request).append("'; exit ")
                    .append(AgentRestart.EXIT_CODE).append("; fi\n");
        }
        sh.append("  sleep 0.05\ndone\n");
        Path path = temp.resolve(file + ".sh");
        Files.writeString(path, sh.toString(), StandardCharsets.UTF_8);
        return path;
    }

    /** Starts the supervisor script with a "java" that runs the build the class path names first. */
    private Process startSupervisor(String... extra) throws IOException {
        Path java = temp.resolve("java");
        Files.writeString(java, "#!/bin/sh\n"
                + "first=\"${CLASSPATH%%:*}\"\n"
                + "case \"$first\" in *current.jar) exec sh \"$first\" ;; *) exec sh '" + distribution + "' ;; esac\n",
                StandardCharsets.UTF_8);
        assertThat(java.toFile().setExecutable(true)).isTrue();
        List<String> command = new ArrayList<>(List.of("sh", JavaCommand.agentSupervisorScript(temp.resolve("bin")).toString(),
                "agent", "--controller", "127.0.0.1:1", "--data-dir", data.toString()));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temp.resolve("supervisor.log").toFile());
        builder.environment().put("MUSTER_JAVA", java.toString());
        builder.environment().put("MUSTER_CLASSPATH", temp.resolve("distribution.jar").toString());
        builder.environment().put("MUSTER_JVM_FLAGS", "-Xmx1m");
        supervisor = builder.start();
        return supervisor;
    }

    private List<String> started() throws IOException {
        return Files.exists(starts) ? Files.readAllLines(starts) : List.of();
    }

    private String log() throws IOException {
        return Files.readString(temp.resolve("supervisor.log"));
    }

    /** What the agent does before it exits 75: download (here: copy), install. */
    private void install(Path build, String version) throws IOException {
        Path staged = slots.staging(version);
        Files.copy(build, staged, StandardCopyOption.REPLACE_EXISTING);
        slots.install(staged, version);
    }

    @Test
    void upgradeFromTheDistribution_newBuildConfirmsItself_andStays() throws Exception {
        Files.writeString(data.resolve("journal"), "journal of A");
        startSupervisor();
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));

        install(build("b", "B", "confirm"), "B");
        Files.writeString(temp.resolve("restart-A"), "");

        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started", "B started")));
        await().atMost(DEADLINE).until(() -> slots.pendingUpgrade().isEmpty());
        assertThat(slots.currentBuild()).contains(slots.current());
        assertThat(Files.exists(slots.dir().resolve("rollback"))).isFalse();
        assertThat(slots.takeRollbackNote()).isEmpty();
        assertThat(log()).contains("starting the agent from " + slots.current() + " (new build B, on trial)");
    }

    @Test
    void twoUpgradesInARow_theConfirmedBuildInstallsTheNext_whichGoesOnTrial_notARollback() throws Exception {
        startSupervisor();
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));
        install(build("b", "B", "confirm", "restart-on-request"), "B");
        Files.writeString(temp.resolve("restart-A"), "");
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started", "B started")));
        await().atMost(DEADLINE).until(() -> slots.pendingUpgrade().isEmpty());

        install(build("c", "C", "confirm"), "C");
        Files.writeString(temp.resolve("restart-B"), "");

        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started", "B started", "C started")));
        await().atMost(DEADLINE).until(() -> slots.pendingUpgrade().isEmpty());
        assertThat(slots.takeRollbackNote()).isEmpty();
        assertThat(log()).contains("(new build C, on trial)").doesNotContain("rolling back");
    }

    @Test
    void brokenBuild_exitsBeforeAController_previousBuildAndJournalRestored_withTheReason() throws Exception {
        // A was itself installed earlier, so the rollback restores previous.jar (not the distribution).
        install(build("a", "A", "confirm", "restart-on-request"), "A");
        slots.confirm();
        Files.writeString(data.resolve("journal"), "journal of A");
        Files.createDirectories(data.resolve("lifecycle"));
        Files.writeString(data.resolve("lifecycle/handoff.json"), "{\"runId\":\"r1\"}");
        String buildA = Files.readString(slots.current());
        startSupervisor();
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));

        install(build("broken", "broken", "exit1"), "9.9-broken");
        Files.writeString(temp.resolve("restart-A"), "");

        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started", "broken started", "A started")));
        assertThat(Files.readString(slots.current())).isEqualTo(buildA);
        assertThat(Files.readString(data.resolve("journal"))).isEqualTo("journal of A");
        assertThat(Files.readString(data.resolve("lifecycle/handoff.json"))).isEqualTo("{\"runId\":\"r1\"}");
        assertThat(slots.pendingUpgrade()).isEmpty();
        assertThat(Files.exists(slots.dir().resolve("rollback"))).isFalse();
        assertThat(slots.takeRollbackNote()).contains("agent build 9.9-broken exited with code 1 before it reached a controller");
        assertThat(log()).contains("rolling back");
    }

    @Test
    void buildThatNeverReachesAController_isStoppedAtTheDeadline_andTheDistributionRunsAgain() throws Exception {
        startSupervisor("--upgrade-deadline", "2s");
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));

        install(build("silent", "silent"), "2.0");
        Files.writeString(temp.resolve("restart-A"), "");

        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started", "silent started", "A started")));
        assertThat(slots.currentBuild()).isEmpty();
        assertThat(Files.exists(slots.dir().resolve("previous.distribution"))).isFalse();
        assertThat(slots.takeRollbackNote()).contains("agent build 2.0 did not reach a controller within 2 s");
        assertThat(slots.pendingUpgrade()).isEmpty();
        // The silent build was stopped, not left behind.
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("current.jar"))
                .filter(p -> p.info().commandLine().orElse("").contains(temp.toString())).count()).isZero();
    }

    @Test
    void restartedSupervisor_givesABuildOnTrialAFreshDeadline() throws Exception {
        install(build("b", "B", "confirm"), "B");
        // As if the supervisor had died while B was on trial: pending is still there.
        startSupervisor();

        await().atMost(DEADLINE).until(() -> started().equals(List.of("B started")));
        await().atMost(DEADLINE).until(() -> slots.pendingUpgrade().isEmpty());
        assertThat(slots.takeRollbackNote()).isEmpty();
    }

    @Test
    void crashedAgent_isRestartedWithBackoff_aUsageErrorEndsTheLoopWith2_andAStoppedAgentWith0() throws Exception {
        distribution = build("crash", "crash", "exit1");
        startSupervisor();
        await().atMost(DEADLINE).until(() -> started().size() >= 3);
        assertThat(started()).allMatch("crash started"::equals);
        assertThat(log()).contains("the agent exited with code 1; restarting it in 1 s", "restarting it in 2 s");
        supervisor.destroy();
        assertThat(supervisor.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(supervisor.exitValue()).isZero();

        distribution = build("usage", "usage", "exit2");
        assertThat(startSupervisor().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(supervisor.exitValue()).isEqualTo(2);
        assertThat(log()).contains("not restarting it");

        distribution = build("done", "done", "exit0");
        assertThat(startSupervisor().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(supervisor.exitValue()).isZero();
    }

    @Test
    void sigterm_stopsTheRunningAgent_andEndsWith0() throws Exception {
        startSupervisor();
        await().atMost(DEADLINE).until(() -> started().equals(List.of("A started")));
        List<ProcessHandle> agent = supervisor.descendants().toList();
        assertThat(agent).isNotEmpty();

        supervisor.destroy();

        assertThat(supervisor.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(supervisor.exitValue()).isZero();
        await().atMost(DEADLINE).until(() -> agent.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(log()).contains("stopped");
    }

    @Test
    void noSupervisor_andNoDataDir_runTheJvmDirectly() throws Exception {
        distribution = build("plain", "plain", "exit0");
        Process direct = startSupervisor("--no-supervisor");
        assertThat(direct.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(started()).containsExactly("plain started");
        assertThat(log()).doesNotContain("starting the agent");
    }
}
