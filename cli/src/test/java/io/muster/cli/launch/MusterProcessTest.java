package io.muster.cli.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.launch.ChildProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The muster command as a real process: exit codes, one-line errors, signals, the parent watchdog. */
class MusterProcessTest {

    @TempDir
    Path dir;

    private final List<ChildProcess> children = new ArrayList<>();
    private final List<Process> others = new ArrayList<>();

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (ChildProcess child : children) {
            child.stop(Duration.ofSeconds(10));
        }
        for (Process process : others) {
            process.destroyForcibly().waitFor();
        }
    }

    private ChildProcess muster(String name, String... args) {
        ChildProcess child = ChildProcess.start(name, JavaCommand.current().muster(List.of(), List.of(args)),
                dir.resolve(name + ".log"));
        children.add(child);
        return child;
    }

    private static String log(ChildProcess child) throws IOException {
        return Files.readString(child.log(), StandardCharsets.UTF_8);
    }

    private static int exitCode(ChildProcess child) {
        await().atMost(Duration.ofSeconds(60)).until(() -> child.exitCode().isPresent());
        return child.exitCode().orElseThrow();
    }

    /** A loopback port nobody listens on (taken and released). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void badUsage_exits2WithOneLine() throws Exception {
        ChildProcess agent = muster("agent", "agent", "--controller", "127.0.0.1:7070", "--data-dir", dir.toString(),
                "--heartbeat", "10x");

        assertThat(exitCode(agent)).isEqualTo(2);
        assertThat(log(agent).lines()).hasSize(1).first().asString().contains("'10x'");
    }

    @Test
    void clusterWithoutDatabase_exits1WithOneSentenceNamingDbUrl() throws Exception {
        ChildProcess controller = muster("controller", "controller", "--join", "127.0.0.1:" + closedPort(),
                "--data-dir", dir.resolve("member").toString(), "--grpc-port", "0", "--http-port", "0", "--hz-port", "0");

        assertThat(exitCode(controller)).isEqualTo(1);
        String output = log(controller);
        assertThat(output).contains("muster controller: ").contains("--db-url");
        assertThat(output).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void agent_sigterm_stopsCleanlyWithExitCode0() throws Exception {
        Path data = dir.resolve("agent");
        ChildProcess agent = muster("agent", "agent", "--controller", "127.0.0.1:" + closedPort(),
                "--data-dir", data.toString(), "--heartbeat", "1s", "--insecure");
        await().atMost(Duration.ofSeconds(60)).until(() -> log(agent).contains("agent started"));
        assertThat(data.resolve("host-id")).isRegularFile();

        assertThat(agent.stop(Duration.ofSeconds(20))).isTrue();

        assertThat(agent.exitCode()).contains(0);
        assertThat(log(agent)).contains("stopping: SIGTERM").contains("agent stopped");
    }

    @Test
    void parentGone_childStopsByItself() throws Exception {
        Process parent = new ProcessBuilder("sleep", "300").start();
        others.add(parent);
        ChildProcess simulator = muster("simulator", "simulate", "--controller", "127.0.0.1:" + closedPort(),
                "--agents", "2", "--parent-pid", Long.toString(parent.pid()));
        await().atMost(Duration.ofSeconds(60)).until(() -> log(simulator).contains("simulating 2 agents"));

        parent.destroyForcibly().waitFor();

        assertThat(exitCode(simulator)).isZero();
        assertThat(log(simulator)).contains("parent process " + parent.pid() + " exited").contains("simulator stopped");
    }
}
