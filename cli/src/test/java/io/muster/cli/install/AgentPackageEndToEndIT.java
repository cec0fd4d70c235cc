package io.muster.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.cli.MusterCommand;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.utility.MountableFile;

/**
 * The .deb from {@code muster package}, installed by hand with {@code dpkg -i} into a Debian
 * container that runs systemd: the files and their modes, the unit ({@code systemd-analyze
 * verify}), the agent started by systemd enrolling with the token baked into the package and
 * showing online; an upgrade keeps host id and certificate; removal stops the service and keeps
 * the data, purge deletes it.
 */
@ExtendWith(TargetHosts.class)
class AgentPackageEndToEndIT {

    private static final Duration ONLINE = Duration.ofMinutes(3);

    @TempDir
    Path temp;
    private TestDatabase database;
    private Controller controller;
    private TargetHosts.Host host;
    private String admin;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void dpkgInstall_startsTheAgentUnderSystemd_upgradeKeepsIdentity_removeKeepsData_purgeDeletesIt() throws Exception {
        host = TargetHosts.Host.start(null);
        database = TestDatabase.create();
        Path adminFile = temp.resolve("admin.token");
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                host.gateway(), "package-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1))
                .withInsecure(false).withAdminTokenFile(adminFile));
        admin = Files.readString(adminFile).strip();
        String token = api("POST", "/api/v1/enrollment-tokens", "{\"expiresInSeconds\":900,\"maxUses\":1}").getString("token");
        Path tokenFile = Files.writeString(temp.resolve("enroll.token"), token + "\n");
        Path ca = Files.writeString(temp.resolve("ca.pem"), http.send(HttpRequest.newBuilder(
                URI.create(base() + "/api/v1/ca.pem")).build(), HttpResponse.BodyHandlers.ofString()).body());
        String gateway = host.gateway() + ":" + controller.grpcPort();

        Path deb = buildPackage(temp.resolve("v1"), "--controller", gateway, "--enroll-token-file", tokenFile.toString(),
                "--ca-cert", ca.toString());
        host.container.copyFileToContainer(MountableFile.forHostPath(deb), "/tmp/agent.deb");
        host.sh("dpkg -i /tmp/agent.deb");

        assertThat(host.sh("stat -c '%a %U %n' /opt/muster-agent/bin/muster-agent /etc/muster/agent.conf /etc/muster/ca.pem "
                + "/var/lib/muster-agent /lib/systemd/system/muster-agent.service").lines())
                .containsExactly("755 root /opt/muster-agent/bin/muster-agent", "644 root /etc/muster/agent.conf",
                        "644 root /etc/muster/ca.pem", "700 root /var/lib/muster-agent",
                        "644 root /lib/systemd/system/muster-agent.service");
        assertThat(host.status("systemd-analyze verify /lib/systemd/system/muster-agent.service")).as("unit verifies").isZero();
        assertThat(host.sh("systemctl is-enabled muster-agent").strip()).isEqualTo("enabled");
        String hostId = awaitOnline();
        assertThat(host.status("test -e /etc/muster/enroll.token")).as("token consumed and deleted").isNotZero();
        String certificate = host.sh("sha256sum /var/lib/muster-agent/tls/agent.crt");

        // upgrade: another package (a second seed address), same host
        Path upgrade = buildPackage(temp.resolve("v2"), "--controller", gateway + ",127.0.0.1:" + controller.grpcPort(),
                "--ca-cert", ca.toString());
        host.container.copyFileToContainer(MountableFile.forHostPath(upgrade), "/tmp/agent2.deb");
        host.sh("dpkg -i --force-confnew /tmp/agent2.deb");
        assertThat(host.sh("cat /etc/muster/agent.conf")).contains("127.0.0.1:" + controller.grpcPort());
        assertThat(host.sh("cat /var/lib/muster-agent/host-id").strip()).isEqualTo(hostId);
        assertThat(host.sh("sha256sum /var/lib/muster-agent/tls/agent.crt")).as("certificate kept").isEqualTo(certificate);
        assertThat(awaitOnline()).isEqualTo(hostId);

        host.sh("dpkg -r muster-agent");
        assertThat(host.status("systemctl is-active muster-agent")).isNotZero();
        assertThat(host.status("test -e /lib/systemd/system/muster-agent.service")).isNotZero();
        assertThat(host.sh("cat /var/lib/muster-agent/host-id").strip()).as("data kept on remove").isEqualTo(hostId);

        host.sh("dpkg -P muster-agent");
        assertThat(host.status("test -e /var/lib/muster-agent")).as("data purged").isNotZero();
        assertThat(host.status("test -e /etc/muster")).isNotZero();
    }

    private Path buildPackage(Path dir, String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of("package", "--format", "deb", "-d", dir.toString(),
                "--agent-jar", InstallEndToEndIT.distribution().toString()));
        all.addAll(List.of(args));
        assertThat(commandLine.execute(all.toArray(String[]::new))).as(err.toString()).isZero();
        return Path.of(out.toString().strip());
    }

    /** Waits until the agent wrote its host id and the controller shows that host online; the host id. */
    private String awaitOnline() throws Exception {
        host.await("test -s /var/lib/muster-agent/host-id && echo yes", "yes", ONLINE);
        String hostId = host.sh("cat /var/lib/muster-agent/host-id").strip();
        long deadline = System.nanoTime() + ONLINE.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(request("/api/v1/hosts/" + hostId).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 && "online".equals(new JsonObject(response.body()).getString("state"))) {
                return hostId;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("host " + hostId + " not online after " + ONLINE + "; agent log:\n"
                + host.sh("journalctl -u muster-agent --no-pager | tail -n 30"));
    }

    private String base() {
        return "http://127.0.0.1:" + controller.httpPort();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + admin);
    }

    private JsonObject api(String method, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(request(path).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return new JsonObject(response.body());
    }
}
