package io.muster.bench.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * K target servers as privileged Podman containers (systemd as PID 1, sshd), driven through the
 * {@code podman} CLI. Each gets its own {@code /etc/machine-id} before it boots: left empty,
 * systemd gives every container of this engine the same id, and the agents, which derive their
 * host id from it, would all enroll as one host. Closing removes the containers.
 */
final class ContainerHosts implements AutoCloseable {

    private static final Duration SSH_DEADLINE = Duration.ofSeconds(120);
    private static final Duration PODMAN_DEADLINE = Duration.ofMinutes(3);

    /** One booted host: container name, address on the engine's bridge, the bridge's gateway (this machine). */
    record Host(String name, String address, String gateway) {
    }

    private final List<String> names = new ArrayList<>();
    private final List<Host> hosts = new ArrayList<>();

    private ContainerHosts() {
    }

    /** Boots {@code count} hosts from {@code image} in parallel; their root accepts {@code authorizedKey}. */
    static ContainerHosts boot(String image, int count, String authorizedKey, Path work, String label)
            throws IOException, InterruptedException {
        inotifyRoom(count);
        Files.createDirectories(work);
        Path keys = work.resolve("authorized_keys");
        Files.writeString(keys, authorizedKey, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        ContainerHosts hosts = new ContainerHosts();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(count, 8));
        try {
            List<Future<Host>> booting = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = "muster-bench-" + label + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 8);
                synchronized (hosts.names) {
                    hosts.names.add(name);
                }
                Path machineId = work.resolve(name + ".machine-id");
                Files.writeString(machineId, UUID.randomUUID().toString().replace("-", "") + "\n", StandardCharsets.US_ASCII);
                booting.add(pool.submit(() -> start(image, name, keys, machineId)));
            }
            for (Future<Host> host : booting) {
                hosts.hosts.add(host.get());
            }
            return hosts;
        } catch (java.util.concurrent.ExecutionException e) {
            hosts.close();
            throw new IllegalStateException("a container host did not boot: " + e.getCause().getMessage(), e.getCause());
        } catch (IOException | InterruptedException | RuntimeException e) {
            hosts.close();
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * systemd in each container takes inotify instances of the same (root) user; at the kernel's
     * default of 128 per user, 20 such containers exhausted them here and systemd exits at boot.
     * Refuses up front, naming the setting, instead of a host that dies halfway.
     */
    private static void inotifyRoom(int count) throws IOException {
        Path limit = Path.of("/proc/sys/fs/inotify/max_user_instances");
        if (!Files.isReadable(limit)) {
            return;
        }
        // Read as a stream: /proc reports a size of 0, and Files.readString here returned only "1" of "1024".
        long instances;
        try (var in = Files.newInputStream(limit)) {
            instances = Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        }
        long needed = 6L * count + 16;
        if (instances < needed) {
            throw new IllegalStateException(count + " systemd containers need more inotify instances than"
                    + " fs.inotify.max_user_instances=" + instances + " allows; raise it, e.g. sysctl -w"
                    + " fs.inotify.max_user_instances=" + Math.max(1024, needed));
        }
    }

    private static Host start(String image, String name, Path keys, Path machineId) throws IOException, InterruptedException {
        podman("create", "--name", name, "--privileged", "--label", "muster-bench=install", "-e", "container=podman",
                image, "/sbin/init");
        podman("cp", machineId.toString(), name + ":/etc/machine-id");
        podman("cp", keys.toString(), name + ":/root/.ssh/authorized_keys");
        podman("start", name);
        long end = System.nanoTime() + SSH_DEADLINE.toNanos();
        String state = "";
        while (!state.equals("active")) {
            if (System.nanoTime() > end) {
                // The container's own last words: systemd that could not start (e.g. out of inotify instances) says why there.
                String log = run(List.of("podman", "logs", "--tail", "5", name)).out().strip();
                throw new IllegalStateException(name + ": sshd not active after " + SSH_DEADLINE.toSeconds() + " s (" + state
                        + "); its log ends: " + log);
            }
            Thread.sleep(300);
            state = run(List.of("podman", "exec", name, "systemctl", "is-active", "ssh")).out().strip();
        }
        String[] network = podman("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}", name)
                .strip().split(" ");
        return new Host(name, network[0], network[1]);
    }

    List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /** Every host's public host keys as known_hosts lines under its address (host keys are checked, never trusted blindly). */
    List<String> knownHosts() throws IOException, InterruptedException {
        List<String> lines = new ArrayList<>();
        for (Host host : hosts) {
            for (String line : podman("exec", host.name(), "sh", "-c", "cat /etc/ssh/ssh_host_*_key.pub").lines().toList()) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length >= 2) {
                    lines.add(host.address() + " " + parts[0] + " " + parts[1]);
                }
            }
        }
        return lines;
    }

    /** Whether the agent service runs on the host (the check after an install, not part of its time). */
    static boolean agentActive(Host host) throws IOException, InterruptedException {
        return run(List.of("podman", "exec", host.name(), "systemctl", "is-active", "muster-agent")).out().strip().equals("active");
    }

    @Override
    public void close() {
        List<String> all;
        synchronized (names) {
            all = List.copyOf(names);
        }
        if (all.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("podman", "rm", "-f", "-t", "0"));
        command.addAll(all);
        try {
            run(command);
        } catch (IOException e) {
            System.err.println("install: could not remove the containers " + all + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Output(int code, String out) {
    }

    private static String podman(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(arguments));
        Output output = run(command);
        if (output.code() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + output.code() + ": " + output.out().strip());
        }
        return output.out();
    }

    private static Output run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(PODMAN_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + PODMAN_DEADLINE.toMinutes() + " min");
        }
        return new Output(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
