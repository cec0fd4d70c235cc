package io.muster.cli.install;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * Real target servers for the installer's tests: containers on the Podman engine (through its
 * Docker-compatible socket, with Testcontainers) from the image {@code installer/host-image/build.sh}
 * makes once (Debian 12, systemd as PID 1, sshd, openjdk-17-jre-headless). Each host has its own
 * address on the engine's bridge, its own host keys and an authorized_keys file.
 *
 * <p>As an {@link ExecutionCondition}: the one rule for a missing engine. On a developer machine
 * the test class is skipped with a message saying why; under CI ({@code CI=true}) it fails. As a
 * {@link ParameterResolver}: hands out the one {@link Testbed} of this test JVM, started by the
 * first class that asks and closed after the last test (it lives in JUnit's root store).
 */
public final class TargetHosts implements ExecutionCondition, ParameterResolver {

    private static final Path BUILD_SCRIPT = Path.of("..", "installer", "host-image", "build.sh");
    private static String image;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String missing = missingEngine();
        if (missing == null) {
            return ConditionEvaluationResult.enabled("container engine available");
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(missing + " — CI=true, so a missing engine is a failure, not a skip");
        }
        return ConditionEvaluationResult.disabled(missing + " — skipped (start one: podman system service --time=0 "
                + "unix:///run/podman/podman.sock)");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Testbed.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // computeIfAbsent is atomic: a class that asks while another is starting the testbed waits for it.
        return context.getRoot().getStore(ExtensionContext.Namespace.create(TargetHosts.class))
                .computeIfAbsent(Testbed.class, type -> {
                    try {
                        return Testbed.start();
                    } catch (Exception e) {
                        throw new IllegalStateException("the installer testbed did not start", e);
                    }
                }, Testbed.class);
    }

    private static String missingEngine() {
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return "no container engine at DOCKER_HOST=" + System.getenv("DOCKER_HOST");
            }
        } catch (RuntimeException e) {
            return "no container engine: " + e.getMessage();
        }
        if (!Files.isExecutable(BUILD_SCRIPT)) {
            return "no " + BUILD_SCRIPT + " to build the host image from";
        }
        return null;
    }

    /** The host image, built by the script when this machine does not have it yet (minutes, once). */
    static synchronized String image() throws IOException, InterruptedException {
        if (image == null) {
            Process build = new ProcessBuilder(BUILD_SCRIPT.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (build.waitFor() != 0 || out.isEmpty()) {
                throw new IllegalStateException(BUILD_SCRIPT + " failed (exit " + build.exitValue() + ")");
            }
            image = out.lines().reduce((first, second) -> second).orElseThrow();
        }
        return image;
    }

    /** A client key pair: the private key in OpenSSH format at {@code file}, the public key as an authorized_keys line. */
    record ClientKey(Path file, String authorizedKey) {

        static ClientKey create(Path file) throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "muster-test", null, out);
            Files.write(file, out.toByteArray());
            return new ClientKey(file, PublicKeyEntry.toString(pair.getPublic()) + " muster-test\n");
        }
    }

    /** One started host. */
    static final class Host implements AutoCloseable {

        final GenericContainer<?> container;
        final String address;

        private Host(GenericContainer<?> container) {
            this.container = container;
            this.address = container.getContainerInfo().getNetworkSettings().getIpAddress();
        }

        /** Starts a host whose root accepts {@code authorizedKey} (null: accepts no key) and waits for its sshd. */
        static Host start(String authorizedKey) throws Exception {
            GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image()))
                    .withCommand("/sbin/init")
                    .withPrivilegedMode(true)
                    .withEnv("container", "podman");
            if (authorizedKey != null) {
                container.withCopyToContainer(Transferable.of(authorizedKey.getBytes(StandardCharsets.US_ASCII), 0600),
                        "/root/.ssh/authorized_keys");
            }
            // A machine id of its own, as every real server has: left empty, systemd in every container of
            // this engine derives the same one, and the agents would all enroll as one host.
            container.withCopyToContainer(Transferable.of((UUID.randomUUID().toString().replace("-", "") + "\n")
                    .getBytes(StandardCharsets.US_ASCII), 0444), "/etc/machine-id");
            container.start();
            Host host = new Host(container);
            host.await("systemctl is-active ssh", "active", Duration.ofSeconds(90));
            return host;
        }

        String gateway() {
            return container.getContainerInfo().getNetworkSettings().getGateway();
        }

        /** This host's public host keys as known_hosts lines for {@code name}. */
        List<String> knownHostsLines(String name) throws Exception {
            List<String> lines = new ArrayList<>();
            for (String line : sh("cat /etc/ssh/ssh_host_*_key.pub").lines().toList()) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length >= 2) {
                    lines.add(name + " " + parts[0] + " " + parts[1]);
                }
            }
            return lines;
        }

        /** Runs {@code script} as root; its stdout. @throws AssertionError when it fails */
        String sh(String script) throws Exception {
            Container.ExecResult result = container.execInContainer("sh", "-c", script);
            if (result.getExitCode() != 0) {
                throw new AssertionError("'" + script + "' failed on " + address + " (" + result.getExitCode() + "): "
                        + result.getStderr() + result.getStdout());
            }
            return result.getStdout();
        }

        /** The exit code of {@code script}. */
        int status(String script) throws Exception {
            return container.execInContainer("sh", "-c", script).getExitCode();
        }

        void await(String script, String expected, Duration timeout) throws Exception {
            String[] last = {""};
            try {
                Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
                    last[0] = container.execInContainer("sh", "-c", script).getStdout().strip();
                    return last[0].equals(expected);
                });
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("'" + script + "' on " + address + " still says '" + last[0] + "' after " + timeout);
            }
        }

        @Override
        public void close() {
            container.stop();
        }
    }
}
