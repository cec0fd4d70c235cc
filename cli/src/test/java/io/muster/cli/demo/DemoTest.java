package io.muster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.launch.ChildProcess;
import io.muster.cli.launch.JavaCommand;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code muster demo --members 1} end to end, as a process: embedded PostgreSQL, a controller,
 * this host's agent; the summary shows this host; the time limit stops it and nothing is left.
 */
class DemoTest {

    @TempDir
    Path dir;

    private ChildProcess demo;

    @AfterEach
    void stopDemo() throws InterruptedException {
        if (demo != null) {
            demo.stop(Duration.ofSeconds(60));
        }
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The local addresses listening on a TCP port, from /proc/net/tcp and tcp6 (hex, as the kernel writes them). */
    static List<String> listeningAddresses(int port) throws IOException {
        List<String> addresses = new java.util.ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
                String[] fields = line.trim().split("\\s+");
                String[] local = fields[1].split(":");
                if ("0A".equals(fields[3]) && Integer.parseInt(local[1], 16) == port) {
                    addresses.add(local[0]);
                }
            }
        }
        return addresses;
    }

    /** 127.x.x.x (little-endian hex 7F last) in tcp, ::1 or ::ffff:127.x in tcp6; never the wildcard. */
    static boolean loopback(String hex) {
        if (hex.length() == 8) {
            return hex.endsWith("7F");
        }
        return hex.equals("00000000000000000000000001000000") || hex.startsWith("0000000000000000FFFF0000") && hex.endsWith("7F");
    }

    private String output() throws IOException {
        return Files.readString(demo.log(), StandardCharsets.UTF_8);
    }

    @Test
    void oneMember_showsThisHost_thenStopsByItselfLeavingNothing() throws Exception {
        Assumptions.assumeTrue(free(8080) && free(7070) && free(5701), "the demo's ports 8080, 7070, 5701 are in use");
        Path data = dir.resolve("demo");
        demo = ChildProcess.start("demo", JavaCommand.current().muster(List.of(),
                List.of("demo", "--members", "1", "--for", "5s", "--data-dir", data.toString())), dir.resolve("demo.log"));
        long demoPid = demo.pid();

        await().atMost(Duration.ofSeconds(180)).until(() -> demo.exitCode().isPresent());

        String output = output();
        assertThat(demo.exitCode()).as(output).contains(0);
        assertThat(output)
                .contains("The console: http://127.0.0.1:8080/  (sign in with the admin token below)")
                .contains("The API: http://127.0.0.1:8080/api/v1/hosts")
                .contains("This host as the controller sees it:")
                .contains(Files.readString(data.resolve("agent").resolve("host-id")).strip())
                .contains("(online, agent ")
                .contains(Runtime.getRuntime().availableProcessors() + " thread")
                .contains("Cluster: 1 member, 1 host connected")
                .contains("Running for 5s")
                .contains("stopping (time limit of 5s reached)")
                .contains("stopped; the embedded PostgreSQL is shut down.");
        assertThat(DatabaseGuardCommand.siblings(demoPid)).isEmpty();
        assertThat(data.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        assertThat(data.resolve("logs").resolve("member-0.log")).isRegularFile();
        assertThat(data.resolve("logs").resolve("agent.log")).isRegularFile();
        // The admin token the first member made: printed, and in <data-dir>/admin.token for the owner only.
        Path tokenFile = data.resolve("admin.token");
        assertThat(Files.getPosixFilePermissions(tokenFile))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String token = Files.readString(tokenFile).strip();
        assertThat(token).startsWith("mst_");
        assertThat(output).contains("Admin API token: " + token);
    }

    @Test
    void killedHard_leavesNoProcessAndNoDatabaseBehind() throws Exception {
        Assumptions.assumeTrue(free(8080) && free(7070) && free(5701), "the demo's ports 8080, 7070, 5701 are in use");
        Path data = dir.resolve("demo");
        demo = ChildProcess.start("demo", JavaCommand.current().muster(List.of(),
                List.of("demo", "--members", "1", "--data-dir", data.toString())), dir.resolve("demo.log"));
        long demoPid = demo.pid();
        await().atMost(Duration.ofSeconds(180)).until(() -> output().contains("Running until Ctrl-C.") || !demo.isAlive());
        assertThat(demo.isAlive()).as(output()).isTrue();
        // The demo runs --insecure: its API and its plaintext gateway listen on loopback only.
        assertThat(listeningAddresses(8080)).as("HTTP 8080").isNotEmpty().allMatch(DemoTest::loopback);
        assertThat(listeningAddresses(7070)).as("gRPC 7070").isNotEmpty().allMatch(DemoTest::loopback);
        long postmaster = DatabaseGuardCommand.postmaster(data.resolve("postgres")).orElseThrow().pid();

        ProcessHandle.of(demoPid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(90)).until(() -> DatabaseGuardCommand.siblings(demoPid).isEmpty()
                && ProcessHandle.of(postmaster).map(p -> !p.isAlive()).orElse(true));
        assertThat(Files.readString(data.resolve("logs").resolve("db-guard.log"))).contains("PostgreSQL stopped");
    }
}
