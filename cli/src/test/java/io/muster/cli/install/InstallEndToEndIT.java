package io.muster.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.cli.MusterCommand;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code muster install}, a rerun, and {@code muster uninstall --decommission} against real
 * servers: Debian containers with systemd and sshd on the Podman engine, and a real controller
 * with its TLS gateway and enrollment (the shared {@link Testbed}). Two good hosts enroll over
 * mTLS, each as a host of its own, and show online; a host whose key does not match the known
 * hosts file and a host that refuses the login key are reported with their reasons while the
 * others succeed. Then: an upgrade reported only once the restarted agent connected; failures by
 * reason (unreachable, no Java 17, unknown host key, and {@code --accept-new} recording it); no
 * token left after a failed install; {@code --sudo} for users made in the running containers
 * (passwordless, with a password from a file that shows up nowhere, without sudo rights). The
 * steps build on each other (ordered).
 */
@ExtendWith(TargetHosts.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstallEndToEndIT {

    private Testbed testbed;
    private TargetHosts.Host good1;
    private TargetHosts.Host good2;
    private TargetHosts.Host wrongKey;
    private TargetHosts.Host refusing;
    private Path knownHosts;
    private Path enrollTokenFile;
    private String enrollToken;
    private final Map<String, String> hostIds = new HashMap<>();
    /** The extra controller address the update step gives good1's package; later runs on good1 give it too, to find it unchanged. */
    private String secondSeed;

    @BeforeAll
    void start(Testbed testbed, @TempDir Path temp) throws Exception {
        this.testbed = testbed;
        good1 = testbed.host(Testbed.Role.PUSH_1);
        good2 = testbed.host(Testbed.Role.PUSH_2);
        wrongKey = testbed.host(Testbed.Role.WRONG_HOST_KEY);
        refusing = testbed.host(Testbed.Role.REFUSING);
        List<String> known = new ArrayList<>();
        known.addAll(good1.knownHostsLines(good1.address));
        known.addAll(good2.knownHostsLines(good2.address));
        known.addAll(refusing.knownHostsLines(refusing.address));
        known.addAll(good1.knownHostsLines(wrongKey.address)); // someone else's keys under its address
        knownHosts = Files.write(temp.resolve("known_hosts"), known);
        enrollTokenFile = testbed.enrollTokenFile("install-enroll.token", 10);
        enrollToken = Files.readString(enrollTokenFile).strip();
    }

    @Test
    @Order(1)
    void install_enrollsEveryGoodHostOverMutualTls_andReportsTheBadOnesWithTheirReasons() throws Exception {
        Run run = muster("install", "--host", good1.address, "--host", good2.address, "--host", wrongKey.address,
                "--host", refusing.address, "--enroll-token-file", enrollTokenFile.toString(),
                "--ca-cert", testbed.caCert().toString(), "--parallel", "4", "--online-timeout", "4m");

        assertThat(run.code).as("exit code when some hosts failed; stderr: %s", run.err).isEqualTo(3);
        Map<String, JsonObject> results = run.byHost();
        for (TargetHosts.Host host : List.of(good1, good2)) {
            JsonObject result = results.get(host.address);
            assertThat(result.getString("result")).as("%s: %s", host.address, result).isEqualTo("installed");
            String hostId = result.getString("hostId");
            assertThat(hostId).isEqualTo(host.sh("cat /var/lib/muster-agent/host-id").strip());
            hostIds.put(host.address, hostId);
            assertThat(testbed.state(hostId)).contains("online");
            // enrolled with a certificate (mTLS from then on), the token consumed and gone
            assertThat(host.sh("stat -c %a /var/lib/muster-agent/tls/agent.key /var/lib/muster-agent/tls/agent.crt").lines())
                    .containsOnly("600");
            assertThat(host.status("test -e /etc/muster/enroll.token")).isNotZero();
            // the token never on a command line or in the agent's log
            assertThat(host.sh("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; journalctl -u muster-agent --no-pager"))
                    .contains("agent-supervisor.sh agent --config", "io.muster.cli.MusterCommand agent --config")
                    .doesNotContain(enrollToken);
            assertThat(host.sh("systemctl is-enabled muster-agent").strip()).isEqualTo("enabled");
        }
        assertThat(hostIds.get(good1.address)).as("each server its own host").isNotEqualTo(hostIds.get(good2.address));
        assertThat(results.get(wrongKey.address).getString("result")).isEqualTo("failed");
        assertThat(results.get(wrongKey.address).getString("detail")).startsWith("host key mismatch");
        assertThat(wrongKey.status("test -e /opt/muster-agent")).isNotZero();
        assertThat(results.get(refusing.address).getString("result")).isEqualTo("failed");
        assertThat(results.get(refusing.address).getString("detail")).startsWith("login refused");
        assertThat(run.err).doesNotContain(enrollToken).contains("2 of 4 hosts ok, 2 failed");
    }

    @Test
    @Order(2)
    void rerun_changesNothingOnInstalledOnlineHosts() throws Exception {
        String supervisor = good1.sh("systemctl show -p MainPID --value muster-agent").strip();
        // The service's main process is the supervisor script, not a JVM; the agent JVM runs under it.
        assertThat(good1.sh("tr '\\0' ' ' < /proc/" + supervisor + "/cmdline")).contains("agent-supervisor.sh agent");
        assertThat(good1.status("pgrep -P " + supervisor + " -f '[M]usterCommand agent'")).as("agent JVM").isZero();
        String packageId = good1.sh("cat /opt/muster-agent/package-id").strip();

        Run run = muster("install", "--host", good1.address, "--host", good2.address,
                "--enroll-token-file", enrollTokenFile.toString(), "--ca-cert", testbed.caCert().toString());

        assertThat(run.code).as(run.err).isZero();
        for (TargetHosts.Host host : List.of(good1, good2)) {
            assertThat(run.byHost().get(host.address).getString("result")).isEqualTo("unchanged");
            assertThat(run.byHost().get(host.address).getString("hostId")).isEqualTo(hostIds.get(host.address));
        }
        assertThat(good1.sh("systemctl show -p MainPID --value muster-agent").strip()).as("not restarted").isEqualTo(supervisor);
        assertThat(good1.sh("cat /opt/muster-agent/package-id").strip()).isEqualTo(packageId);
    }

    @Test
    @Order(3)
    void install_withAChangedPackage_updatesTheHostInPlace_andReportsItOnlyOnceTheRestartedAgentConnected() throws Exception {
        String hostId = hostIds.get(good1.address);
        String supervisor = mainPid(good1);
        String certificate = good1.sh("sha256sum /var/lib/muster-agent/tls/agent.crt");
        String gateway = testbed.controllerAddress();
        // Another package: agent.conf gets a second seed address (the host's own loopback, where nothing listens, so
        // the agent still connects through the first), as AgentPackageEndToEndIT's upgrade does.
        secondSeed = "127.0.0.1:" + gateway.substring(gateway.lastIndexOf(':') + 1);

        Run run = muster("install", "--host", good1.address, "--controller", secondSeed,
                "--enroll-token-file", enrollTokenFile.toString(), "--ca-cert", testbed.caCert().toString());

        assertThat(run.code).as(run.err).isZero();
        JsonObject result = run.byHost().get(good1.address);
        assertThat(result.getString("result")).as("%s", result).isEqualTo("updated");
        assertThat(result.getString("hostId")).isEqualTo(hostId);
        assertThat(mainPid(good1)).as("the service was restarted").isNotEqualTo(supervisor);
        assertThat(good1.sh("cat /etc/muster/agent.conf")).contains(secondSeed);
        assertThat(good1.sh("sha256sum /var/lib/muster-agent/tls/agent.crt")).as("certificate kept").isEqualTo(certificate);
        // Reported once the new agent process connected, not on the strength of the old agent's session, which
        // the controller still shows online for a while: this run of the service already logged its connect.
        assertThat(good1.sh("journalctl --no-pager -o cat _SYSTEMD_INVOCATION_ID=$(systemctl show -p InvocationID --value muster-agent)"))
                .contains("connected to");
        assertThat(testbed.state(hostId)).contains("online");
    }

    @Test
    @Order(4)
    void uninstallWithDecommission_removesTheServiceKeepsTheData_andTheHostIsDecommissioned() throws Exception {
        String hostId = hostIds.get(good2.address);

        Run run = muster("uninstall", "--host", good2.address, "--decommission");

        assertThat(run.code).as(run.err).isZero();
        assertThat(run.byHost().get(good2.address).getString("result")).isEqualTo("removed");
        assertThat(good2.status("systemctl cat muster-agent.service")).as("unit gone").isNotZero();
        assertThat(good2.status("test -e /opt/muster-agent")).isNotZero();
        // Neither the supervisor script nor the agent JVM (its class path is in CLASSPATH, not on its command line).
        assertThat(good2.status("pgrep -f '[a]gent-supervisor[.]sh|[M]usterCommand agent'")).as("agent stopped").isNotZero();
        assertThat(good2.sh("cat /var/lib/muster-agent/host-id").strip()).as("data kept").isEqualTo(hostId);
        assertThat(testbed.api("GET", "/api/v1/hosts/" + hostId, null).getString("lifecycle")).isEqualTo("decommissioned");
        // the other host is untouched: its agent runs and the controller still has it online
        assertThat(good1.sh("systemctl is-active muster-agent").strip()).isEqualTo("active");
        assertThat(testbed.state(hostIds.get(good1.address))).contains("online");
    }

    @Test
    @Order(5)
    void failures_unreachable_noJava_unknownHostKey_areReportedWithTheirReasons_andAcceptNewRecordsTheKey(@TempDir Path temp)
            throws Exception {
        // good2 (uninstalled above) without Java; good1 missing from this run's known hosts file
        Path java = Path.of(good2.sh("readlink -f /usr/bin/java").strip());
        good2.sh("mv " + java + " " + java + ".away");
        Path fresh = Files.write(temp.resolve("known_hosts"), good2.knownHostsLines(good2.address));
        try {
            Run run = muster(fresh, "install", "--host", "127.0.0.1:1", "--host", good2.address, "--host", good1.address,
                    "--enroll-token-file", enrollTokenFile.toString(), "--ca-cert", testbed.caCert().toString());

            assertThat(run.code).as(run.err).isEqualTo(3);
            Map<String, JsonObject> results = run.byHost();
            assertThat(results.values()).extracting(result -> result.getString("result")).containsOnly("failed");
            assertThat(results.get("127.0.0.1:1").getString("detail")).startsWith("unreachable").contains("Connection refused");
            assertThat(results.get(good2.address).getString("detail")).startsWith("no Java 17");
            assertThat(good2.status("test -e /opt/muster-agent")).as("nothing installed").isNotZero();
            assertThat(results.get(good1.address).getString("detail")).startsWith("unknown host key")
                    .contains("ssh-keyscan", "--accept-new");
            assertThat(entriesFor(fresh, good1)).as("nothing trusted silently").isEmpty();
        } finally {
            good2.sh("mv " + java + ".away " + java);
        }

        Run accepted = muster(fresh, "install", "--host", good1.address, "--accept-new", "--controller", secondSeed,
                "--enroll-token-file", enrollTokenFile.toString(), "--ca-cert", testbed.caCert().toString());

        assertThat(accepted.code).as(accepted.err).isZero();
        assertThat(accepted.byHost().get(good1.address).getString("result")).isEqualTo("unchanged");
        List<String> offered = good1.knownHostsLines(good1.address).stream().map(line -> line.split(" ")[2]).toList();
        assertThat(entriesFor(fresh, good1)).isNotEmpty().allSatisfy(line -> assertThat(offered).contains(line.split(" ")[2]));
        // trusted from then on, without --accept-new
        Run again = muster(fresh, "install", "--host", good1.address, "--controller", secondSeed,
                "--enroll-token-file", enrollTokenFile.toString(), "--ca-cert", testbed.caCert().toString());
        assertThat(again.byHost().get(good1.address).getString("result")).as(again.err).isEqualTo("unchanged");

        // the controller's API refusing the installer is reported as that, not as a failed SSH session
        Run refused = muster(fresh, "install", "--host", good1.address, "--controller", secondSeed, "--token", "not-a-token",
                "--enroll-token-file", enrollTokenFile.toString(), "--ca-cert", testbed.caCert().toString());
        assertThat(refused.code).as(refused.err).isEqualTo(3);
        assertThat(refused.byHost().get(good1.address).getString("detail")).startsWith("the controller answered 401 to GET /api/v1/hosts/");
    }

    @Test
    @Order(6)
    void failedInstall_removesTheEnrollmentTokenItWrote() throws Exception {
        // good2 as a new server: no host id, no certificate, so the install writes a token (purged with dpkg, so
        // that the next install brings agent.conf back: dpkg keeps a conffile deleted behind its back deleted)
        good2.sh("dpkg -P muster-agent >/dev/null && rm -rf /var/lib/muster-agent /etc/muster");

        // one second is too short for the agent JVM to start, so the install fails with the token still unused
        Run run = muster("install", "--host", good2.address, "--online-timeout", "1s",
                "--enroll-token-file", enrollTokenFile.toString(), "--ca-cert", testbed.caCert().toString());

        try {
            assertThat(run.code).as(run.err).isEqualTo(3);
            assertThat(run.byHost().get(good2.address).getString("result")).isEqualTo("failed");
            assertThat(run.byHost().get(good2.address).getString("detail")).contains("wrote no host id")
                    .doesNotContain("could not be removed");
            assertThat(good2.status("test -e /etc/muster/enroll.token -o -e /etc/muster/enroll.token.new"))
                    .as("no token left on a host that failed").isNotZero();
        } finally {
            good2.sh("dpkg -P muster-agent >/dev/null"); // stops the agent, which has no token to enroll with
        }
    }

    @Test
    @Order(7)
    void sudo_withoutPassword_andWithAPasswordFromAFile_install_andAUserWithoutSudoRightsIsReported(@TempDir Path temp)
            throws Exception {
        // The two hosts no earlier step installed (their root logins were refused above), and good1 for the user
        // without sudo rights; this run's known hosts file has every one's real keys.
        TargetHosts.Host passwordless = wrongKey;
        TargetHosts.Host withPassword = refusing;
        String password = "sudo-" + UUID.randomUUID();
        addUser(passwordless, "deploy", password, "deploy ALL=(ALL) NOPASSWD: ALL");
        addUser(withPassword, "ops", password, "ops ALL=(ALL) ALL");
        addUser(good1, "guest", password, null);
        List<String> known = new ArrayList<>();
        for (TargetHosts.Host host : List.of(passwordless, withPassword, good1)) {
            known.addAll(host.knownHostsLines(host.address));
        }
        Path knownFile = Files.write(temp.resolve("known_hosts"), known);
        Path passwordFile = Files.writeString(temp.resolve("sudo.password"), password + "\n");

        // watch the command lines on the password host while the install runs
        Set<String> commandLines = ConcurrentHashMap.newKeySet();
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        watcher.scheduleWithFixedDelay(() -> {
            try {
                commandLines.add(withPassword.sh("cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '; echo"));
            } catch (Exception e) {
                commandLines.add("watch failed: " + e);
                throw new IllegalStateException(e); // ends the watch: a failed sample is recorded once
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        Run run;
        try {
            run = muster(knownFile, "install", "--sudo", "--sudo-password-file", passwordFile.toString(),
                    "--host", "deploy@" + passwordless.address, "--host", "ops@" + withPassword.address,
                    "--host", "guest@" + good1.address, "--parallel", "3", "--online-timeout", "4m",
                    "--enroll-token-file", enrollTokenFile.toString(), "--ca-cert", testbed.caCert().toString());
        } finally {
            watcher.shutdown();
            watcher.awaitTermination(30, TimeUnit.SECONDS);
        }

        assertThat(run.code).as("exit code when some hosts failed; stderr: %s", run.err).isEqualTo(3);
        Map<String, JsonObject> results = run.byHost();
        for (TargetHosts.Host host : List.of(passwordless, withPassword)) {
            JsonObject result = results.get(host.address);
            assertThat(result.getString("result")).as("%s: %s", host.address, result).isEqualTo("installed");
            assertThat(result.getString("hostId")).isEqualTo(host.sh("cat /var/lib/muster-agent/host-id").strip());
            assertThat(testbed.state(result.getString("hostId"))).contains("online");
            assertThat(host.sh("stat -c %U /opt/muster-agent/bin/muster-agent").strip()).as("installed as root").isEqualTo("root");
        }
        assertThat(results.get(good1.address).getString("result")).isEqualTo("failed");
        assertThat(results.get(good1.address).getString("detail")).startsWith("no sudo").contains("not in the sudoers");
        assertThat(commandLines).as("sampled while installing").anyMatch(line -> line.contains("sudo -S -p  -k sh -c"))
                .noneMatch(line -> line.contains(password) || line.startsWith("watch failed"));
        assertThat(withPassword.sh("journalctl --no-pager")).doesNotContain(password);
        assertThat(run.out + run.err).doesNotContain(password);
    }

    /** A login user with {@code password} and the tests' key; {@code sudoers}: its rule in /etc/sudoers.d, null: no sudo rights. */
    private void addUser(TargetHosts.Host host, String user, String password, String sudoers) throws Exception {
        // a password set (not a locked account) so that sshd lets the user in with the key
        host.sh("useradd -m -s /bin/sh " + user + " && printf '%s:%s\\n' " + user + " '" + password + "' | chpasswd"
                + " && install -d -m 700 -o " + user + " -g " + user + " /home/" + user + "/.ssh"
                + " && printf '%s' '" + testbed.key.authorizedKey().strip() + "' > /home/" + user + "/.ssh/authorized_keys"
                + " && chown " + user + ": /home/" + user + "/.ssh/authorized_keys && chmod 600 /home/" + user + "/.ssh/authorized_keys");
        if (sudoers != null) {
            host.sh("printf '%s\\n' '" + sudoers + "' > /etc/sudoers.d/" + user + " && chmod 440 /etc/sudoers.d/" + user);
        }
    }

    /** The known hosts lines whose host patterns name {@code host}'s address. */
    private static List<String> entriesFor(Path knownHostsFile, TargetHosts.Host host) throws IOException {
        return Files.readAllLines(knownHostsFile).stream()
                .filter(line -> List.of(line.split(" ")[0].split(",")).contains(host.address)).toList();
    }

    private static String mainPid(TargetHosts.Host host) throws Exception {
        return host.sh("systemctl show -p MainPID --value muster-agent").strip();
    }

    private Run muster(String verb, String... args) throws IOException {
        return muster(knownHosts, verb, args);
    }

    private Run muster(Path knownHostsFile, String verb, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of(verb));
        all.addAll(List.of(args));
        all.addAll(List.of("--identity", testbed.key.file().toString(), "--known-hosts", knownHostsFile.toString(),
                "--url", testbed.base(), "-o", "json"));
        if (!all.contains("--token")) {
            all.addAll(List.of("--token", testbed.admin()));
        }
        if (verb.equals("install")) {
            all.addAll(List.of("--controller", testbed.controllerAddress(), "--enroll-controller", testbed.enrollAddress(),
                    "--agent-jar", distribution().toString()));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(all.toArray(String[]::new));
        System.out.print(err); // per-host lines with their times, in the failsafe report
        return new Run(code, out.toString(), err.toString());
    }

    /** The muster-cli jar this build packaged (failsafe runs after the package phase). */
    static Path distribution() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "muster-cli-*.jar")) {
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                if (!name.endsWith("-tests.jar") && !name.endsWith("-sources.jar")) {
                    return jar.toAbsolutePath();
                }
            }
        }
        throw new IllegalStateException("no target/muster-cli-*.jar: run the integration tests with mvn verify");
    }

    private record Run(int code, String out, String err) {

        Map<String, JsonObject> byHost() {
            Map<String, JsonObject> results = new HashMap<>();
            for (Object item : new JsonArray(out)) {
                JsonObject result = (JsonObject) item;
                results.put(result.getString("host"), result);
            }
            return results;
        }
    }
}
