package io.muster.bench.peer;

import io.muster.launch.ChildProcess;
import io.muster.bench.fleet.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One OpenSSH server for the Ansible side of the peer comparison: it listens on every loopback
 * address (127.0.0.x are all this machine), accepts only a throwaway key generated for the run
 * (its own authorized_keys and host key in the work directory; the system's sshd configuration
 * and keys are not touched), and allows enough concurrent connections for 50 forks.
 * Not thread-safe: started and closed by one thread.
 */
final class LoopbackSshd implements AutoCloseable {

    private static final Duration START_DEADLINE = Duration.ofSeconds(20);

    private final ChildProcess process;
    private final int port;
    private final Path clientKey;

    private LoopbackSshd(ChildProcess process, int port, Path clientKey) {
        this.process = process;
        this.port = port;
        this.clientKey = clientKey;
    }

    /** Generates the keys and configuration under {@code dir} and starts sshd. */
    static LoopbackSshd start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        Path clientKey = dir.resolve("id_ed25519");
        keygen(hostKey);
        keygen(clientKey);
        Path authorized = dir.resolve("authorized_keys");
        Files.copy(dir.resolve("id_ed25519.pub"), authorized, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(Path.of("/run/sshd"));
        int port = FreePorts.take(1)[0];
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port,
                "ListenAddress 0.0.0.0",
                "HostKey " + hostKey,
                "AuthorizedKeysFile " + authorized,
                "PidFile " + dir.resolve("sshd.pid"),
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "MaxStartups 200:30:400",
                "MaxSessions 200",
                "Subsystem sftp internal-sftp",
                "LogLevel ERROR",
                ""), StandardCharsets.UTF_8);
        ChildProcess sshd = ChildProcess.start("sshd", List.of("/usr/sbin/sshd", "-D", "-e", "-f", config.toString()),
                dir.resolve("sshd.log"));
        LoopbackSshd server = new LoopbackSshd(sshd, port, clientKey);
        server.awaitListening();
        return server;
    }

    private static void keygen(Path key) throws IOException, InterruptedException {
        Files.deleteIfExists(key);
        Files.deleteIfExists(key.resolveSibling(key.getFileName() + ".pub"));
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        String out = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keygen.waitFor(30, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
            throw new IOException("ssh-keygen failed: " + out.strip());
        }
    }

    private void awaitListening() throws IOException, InterruptedException {
        long end = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("sshd exited: " + process.lastLogLine().orElse("see " + process.log()));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("sshd did not listen on port " + port + " within " + START_DEADLINE.toSeconds() + " s");
    }

    int port() {
        return port;
    }

    Path clientKey() {
        return clientKey;
    }

    @Override
    public void close() throws InterruptedException {
        process.stop(Duration.ofSeconds(5));
    }
}
