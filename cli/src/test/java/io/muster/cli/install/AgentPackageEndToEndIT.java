package io.muster.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.cli.MusterCommand;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.utility.MountableFile;

/**
 * The .deb from {@code muster package}, installed by hand with {@code dpkg -i} into a Debian
 * container that runs systemd (the {@link Testbed}'s DPKG host): the files and their modes, the
 * unit ({@code systemd-analyze verify}), the agent started by systemd enrolling with the token
 * baked into the package and showing online; an upgrade keeps host id and certificate; removal
 * stops the service and keeps the data, purge deletes it.
 */
@ExtendWith(TargetHosts.class)
class AgentPackageEndToEndIT {

    private static final Duration ONLINE = Duration.ofMinutes(3);

    @TempDir
    Path temp;

    @Test
    void dpkgInstall_startsTheAgentUnderSystemd_upgradeKeepsIdentity_removeKeepsData_purgeDeletesIt(Testbed testbed) throws Exception {
        TargetHosts.Host host = testbed.host(Testbed.Role.DPKG);
        Path tokenFile = testbed.enrollTokenFile("dpkg-enroll.token", 1);
        String gateway = testbed.controllerAddress();
        String secondSeed = "127.0.0.1:" + gateway.substring(gateway.lastIndexOf(':') + 1);
        // The upgrade (another package: a second seed address) is built while the first one installs.
        CompletableFuture<Path> upgrade = CompletableFuture.supplyAsync(() -> buildPackage(temp.resolve("v2"),
                "--controller", gateway + "," + secondSeed, "--ca-cert", testbed.caCert().toString()));
        Path deb = buildPackage(temp.resolve("v1"), "--controller", gateway, "--enroll-controller", testbed.enrollAddress(),
                "--enroll-token-file", tokenFile.toString(),
                "--ca-cert", testbed.caCert().toString());
        host.container.copyFileToContainer(MountableFile.forHostPath(deb), "/tmp/agent.deb");
        host.sh("dpkg -i /tmp/agent.deb");

        assertThat(host.sh("stat -c '%a %U %n' /opt/muster-agent/bin/muster-agent /etc/muster/agent.conf /etc/muster/ca.pem "
                + "/var/lib/muster-agent /lib/systemd/system/muster-agent.service").lines())
                .containsExactly("755 root /opt/muster-agent/bin/muster-agent", "644 root /etc/muster/agent.conf",
                        "644 root /etc/muster/ca.pem", "700 root /var/lib/muster-agent",
                        "644 root /lib/systemd/system/muster-agent.service");
        assertThat(host.status("systemd-analyze verify /lib/systemd/system/muster-agent.service")).as("unit verifies").isZero();
        assertThat(host.sh("systemctl is-enabled muster-agent").strip()).isEqualTo("enabled");
        String hostId = awaitOnline(testbed, host, Instant.EPOCH);
        assertThat(host.status("test -e /etc/muster/enroll.token")).as("token consumed and deleted").isNotZero();
        String certificate = host.sh("sha256sum /var/lib/muster-agent/tls/agent.crt");

        host.container.copyFileToContainer(MountableFile.forHostPath(upgrade.join()), "/tmp/agent2.deb");
        String supervisor = host.sh("systemctl show -p MainPID --value muster-agent").strip();
        host.sh("dpkg -i --force-confnew /tmp/agent2.deb");
        Instant upgraded = Instant.now();
        assertThat(host.sh("systemctl show -p MainPID --value muster-agent").strip()).as("restarted").isNotEqualTo(supervisor);
        assertThat(host.sh("cat /etc/muster/agent.conf")).contains(secondSeed);
        assertThat(host.sh("cat /var/lib/muster-agent/host-id").strip()).isEqualTo(hostId);
        assertThat(host.sh("sha256sum /var/lib/muster-agent/tls/agent.crt")).as("certificate kept").isEqualTo(certificate);
        assertThat(awaitOnline(testbed, host, upgraded)).as("the new build connects as the same host").isEqualTo(hostId);

        host.sh("dpkg -r muster-agent");
        assertThat(host.status("systemctl is-active muster-agent")).isNotZero();
        assertThat(host.status("test -e /lib/systemd/system/muster-agent.service")).isNotZero();
        assertThat(host.sh("cat /var/lib/muster-agent/host-id").strip()).as("data kept on remove").isEqualTo(hostId);

        host.sh("dpkg -P muster-agent");
        assertThat(host.status("test -e /var/lib/muster-agent")).as("data purged").isNotZero();
        assertThat(host.status("test -e /etc/muster")).isNotZero();
    }

    private static Path buildPackage(Path dir, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("package", "--format", "deb", "-d", dir.toString()));
        try {
            all.addAll(List.of("--agent-jar", InstallEndToEndIT.distribution().toString()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        all.addAll(List.of(args));
        assertThat(commandLine.execute(all.toArray(String[]::new))).as(err.toString()).isZero();
        return Path.of(out.toString().strip());
    }

    /**
     * Waits until the agent wrote its host id and the controller shows that host online, connected
     * at or after {@code since} (after an upgrade: the restarted agent, not what the controller
     * remembers of the old one); the host id.
     */
    private static String awaitOnline(Testbed testbed, TargetHosts.Host host, Instant since) throws Exception {
        host.await("test -s /var/lib/muster-agent/host-id && echo yes", "yes", ONLINE);
        String hostId = host.sh("cat /var/lib/muster-agent/host-id").strip();
        try {
            Awaitility.await().atMost(ONLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
                Optional<JsonObject> seen = testbed.hostRecord(hostId);
                return seen.isPresent() && "online".equals(seen.get().getString("state"))
                        && !Instant.parse(seen.get().getString("lastSeen")).isBefore(since);
            });
            return hostId;
        } catch (ConditionTimeoutException e) {
            // the agent's log says why, below
        }
        throw new AssertionError("host " + hostId + " not online since " + since + " after " + ONLINE + "; agent log:\n"
                + host.sh("journalctl -u muster-agent --no-pager | tail -n 30"));
    }
}
