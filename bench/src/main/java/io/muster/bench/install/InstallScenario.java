package io.muster.bench.install;

import io.muster.bench.fleet.BenchFleet;
import io.muster.bench.fleet.FleetSettings;
import io.muster.bench.fleet.Member;
import io.muster.bench.probe.ClusterReading;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.ProcessCpu;
import io.muster.bench.report.ScenarioResult;
import io.muster.bench.scenario.BenchContext;
import io.muster.bench.scenario.Scenario;
import io.muster.client.MusterClient;
import io.muster.launch.JvmCommand;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * install: from K fresh servers to K agents online in the controller, two ways. Muster: the real
 * {@code muster install} (the source tree's launcher, MINA SSHD push, package built inside the
 * timed run). Ansible: {@code ansible-playbook} doing the same copy-and-start over OpenSSH with the
 * same .deb (built beforehand, outside its time): copy the package, write the enrollment token
 * file, {@code dpkg -i}, start the service. Each side gets its own fresh containers and its own
 * one-member controller (TLS gateway, enrollment), so neither inherits the other's hosts. Time is
 * from the command's start until the member holds K agent sessions; the member's CPU over that
 * window is divided by K. A side whose command exits non-zero is reported, not compared.
 *
 * <p>The hosts are {@code installer/host-image/build.sh}'s image plus {@code python3}: Ansible's
 * modules need Python on the target, as on any server Ansible manages. Both sides use that image.
 */
public final class InstallScenario implements Scenario {

    private static final Duration ONLINE_AFTER_EXIT = Duration.ofMinutes(3);
    private static final Duration COMMAND_DEADLINE = Duration.ofMinutes(15);
    private static final Duration ENROLLMENT_LIFETIME = Duration.ofMinutes(30);

    private final List<Integer> hostCounts;
    private final FleetSettings fleetSettings;
    private final JvmCommand java;
    private final Path root;

    /**
     * @param root the source tree: {@code muster} (the launcher that runs {@code install} and
     *             {@code package}) and {@code installer/host-image/build.sh}
     */
    public InstallScenario(List<Integer> hostCounts, FleetSettings fleetSettings, JvmCommand java, Path root) {
        this.hostCounts = List.copyOf(hostCounts);
        this.fleetSettings = fleetSettings;
        this.java = java;
        this.root = root;
    }

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        Path work = fleetSettings.dataDir().resolve("install");
        Files.createDirectories(work);
        context.progress().phase("install: host image");
        String image = hostImage(work);
        // The launcher builds the distribution when it is missing or stale: here, not inside a timed run.
        context.progress().phase("install: muster --version (builds the distribution if needed)");
        check(runQuiet(List.of(launcher(), "--version"), work.resolve("version.log")), "muster --version", work.resolve("version.log"));
        Path key = work.resolve("id_ecdsa");
        check(runQuiet(List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", "muster-bench", "-f", key.toString()),
                work.resolve("ssh-keygen.log")), "ssh-keygen", work.resolve("ssh-keygen.log"));
        String authorizedKey = Files.readString(work.resolve("id_ecdsa.pub"));

        List<Integer> counts = new ArrayList<>(hostCounts);
        Collections.sort(counts);
        JsonArray runs = new JsonArray();
        List<String> summary = new ArrayList<>();
        for (int k : counts) {
            Path dir = work.resolve("k" + k);
            JsonObject muster = side(context, "muster", k, image, authorizedKey, key, dir.resolve("muster"));
            JsonObject ansible = side(context, "ansible", k, image, authorizedKey, key, dir.resolve("ansible"));
            JsonObject entry = new JsonObject().put("hosts", k).put("muster", muster).put("ansible", ansible);
            boolean compared = ansible.getInteger("exitCode") == 0 && ansible.getBoolean("allOnline");
            entry.put("compared", compared);
            if (compared) {
                entry.put("ratioAnsibleOverMuster", ansible.getDouble("secondsToAllOnline") / muster.getDouble("secondsToAllOnline"));
            }
            runs.add(entry);
            summary.add(String.format(Locale.ROOT, "%d hosts to online: muster install %.1f s (member CPU %.2f s per host); Ansible %s",
                    k, muster.getDouble("secondsToAllOnline"), muster.getDouble("memberCpuSecondsPerHost"),
                    compared ? String.format(Locale.ROOT, "%.1f s (%.2fx; member CPU %.2f s per host)",
                            ansible.getDouble("secondsToAllOnline"), entry.getDouble("ratioAnsibleOverMuster"),
                            ansible.getDouble("memberCpuSecondsPerHost"))
                            : "failed (exit " + ansible.getInteger("exitCode") + ", " + ansible.getInteger("online") + "/" + k
                            + " online; see " + ansible.getString("log") + "), not compared"));
        }
        summary.add("both: fresh privileged Podman containers (Debian 12, systemd, sshd, JRE, python3), parallelism K (muster"
                + " --parallel K, ansible forks K), host keys checked, one member with its TLS gateway; muster install builds its"
                + " .deb inside its time, Ansible copies one built before");
        summary.forEach(line -> context.progress().note("install: " + line));
        return new ScenarioResult("install", new JsonObject().put("runs", runs).put("image", image), summary);
    }

    /** One side at K hosts: fresh containers and member, the command, the wait for K sessions. */
    private JsonObject side(BenchContext context, String who, int k, String image, String authorizedKey, Path key, Path dir)
            throws Exception {
        context.progress().phase("install: " + who + " K=" + k + ": booting " + k + " hosts");
        Files.createDirectories(dir);
        try (ContainerHosts hosts = ContainerHosts.boot(image, k, authorizedKey, dir.resolve("hosts"), who + k)) {
            String gateway = hosts.hosts().get(0).gateway();
            Path knownHosts = Files.write(dir.resolve("known_hosts"), hosts.knownHosts());
            Path hostsFile = Files.write(dir.resolve("hosts.txt"), hosts.hosts().stream().map(ContainerHosts.Host::address).toList());
            context.progress().phase("install: " + who + " K=" + k + ": starting a member");
            FleetSettings one = new FleetSettings(dir.resolve("fleet"), 1, fleetSettings.heartbeat(), fleetSettings.dbUrl(),
                    fleetSettings.agentsPerChannel(), fleetSettings.connectRate(), fleetSettings.taskDelay(),
                    fleetSettings.memberJvmFlags(), fleetSettings.simulatorJvmFlags(),
                    // The TLS gateway with enrollment (no --insecure); its certificate names the address the hosts use.
                    List.of("--advertise", gateway), Optional.of(dir.resolve("fleet").resolve("admin.token")));
            MemberApi api = new MemberApi(one.adminTokenFile());
            try (BenchFleet fleet = BenchFleet.start(one, java, api, context.clock())) {
                Member member = fleet.members().get(0);
                String admin = Files.readString(one.adminTokenFile().orElseThrow()).strip();
                String base = "http://127.0.0.1:" + member.httpPort();
                MusterClient muster = MusterClient.builder(base).token(admin).build();
                // One use per host, and long enough for the slowest side's whole install.
                String enrollment = muster.tokens().createEnrollment(ENROLLMENT_LIFETIME, k, Map.of()).token();
                Path tokenFile = Files.writeString(dir.resolve("enroll.token"), enrollment + "\n");
                Path ca = Files.writeString(dir.resolve("ca.pem"), muster.caCertificate());
                String controller = gateway + ":" + member.grpcPort();
                Path log = dir.resolve(who + ".log");
                ProcessBuilder command;
                if (who.equals("muster")) {
                    command = new ProcessBuilder(launcher(), "install", "--hosts", hostsFile.toString(),
                            "--identity", key.toString(), "--known-hosts", knownHosts.toString(),
                            "--controller", controller, "--enroll-controller", gateway + ":" + member.enrollPort(),
                            "--enroll-token-file", tokenFile.toString(), "--ca-cert", ca.toString(),
                            "--parallel", Integer.toString(k), "--online-timeout", "5m", "-o", "json");
                    // The API token through the environment: secrets stay off command lines.
                    command.environment().put("MUSTER_URL", base);
                    command.environment().put("MUSTER_TOKEN", admin);
                    command.redirectOutput(dir.resolve("muster-results.json").toFile()).redirectError(log.toFile());
                } else {
                    context.progress().phase("install: ansible K=" + k + ": muster package (not timed)");
                    Path packages = Files.createDirectories(dir.resolve("package"));
                    check(runQuiet(List.of(launcher(), "package", "--controller", controller,
                            "--enroll-controller", gateway + ":" + member.enrollPort(), "--ca-cert", ca.toString(),
                            "--output-dir", packages.toString()), dir.resolve("package.log")), "muster package", dir.resolve("package.log"));
                    Path deb;
                    try (var files = Files.list(packages)) {
                        deb = files.filter(f -> f.toString().endsWith(".deb")).findFirst()
                                .orElseThrow(() -> new IllegalStateException("muster package made no .deb in " + packages));
                    }
                    command = AnsibleInstall.command(dir, hosts.hosts(), key, knownHosts, deb, tokenFile, k);
                    command.redirectErrorStream(true).redirectOutput(log.toFile());
                }
                context.progress().phase("install: " + who + " K=" + k + ": installing");
                JsonObject figures = timeToOnline(command, fleet, api, member, k);
                figures.put("log", log.toString());
                if (who.equals("muster")) {
                    check(figures.getInteger("exitCode"), "muster install (K=" + k + ")", log);
                    JsonArray results = new JsonArray(Files.readString(dir.resolve("muster-results.json")));
                    long installed = results.stream().filter(r -> "installed".equals(((JsonObject) r).getString("result"))).count();
                    figures.put("installed", installed);
                    if (installed != k || !figures.getBoolean("allOnline")) {
                        throw new IllegalStateException("muster install (K=" + k + "): " + installed + " installed, "
                                + figures.getLong("online") + " online of " + k + "; see " + log);
                    }
                }
                int active = 0;
                for (ContainerHosts.Host host : hosts.hosts()) {
                    active += ContainerHosts.agentActive(host) ? 1 : 0;
                }
                figures.put("servicesActive", active);
                return figures;
            }
        }
    }

    /**
     * Starts {@code command} and polls the member's agent sessions until there are {@code k}: the
     * time from start to that, the command's own wall time and exit code, the member's CPU.
     */
    private static JsonObject timeToOnline(ProcessBuilder command, BenchFleet fleet, MemberApi api, Member member, int k)
            throws IOException, InterruptedException {
        long pid = member.process().pid();
        double cpuBefore = ProcessCpu.seconds(pid).orElse(0);
        long started = System.nanoTime();
        Process process = command.start();
        Long allOnline = null;
        Long exited = null;
        long deadline = started + COMMAND_DEADLINE.toNanos();
        long online = 0;
        while (true) {
            online = ClusterReading.localConnected(api, member).orElse(online);
            long now = System.nanoTime();
            if (allOnline == null && online >= k) {
                allOnline = now;
            }
            if (exited == null && !process.isAlive()) {
                exited = now;
                deadline = Math.min(deadline, now + ONLINE_AFTER_EXIT.toNanos());
            }
            if ((allOnline != null && exited != null) || now > deadline) {
                break;
            }
            fleet.checkAlive("the hosts to come online", List.of(member));
            Thread.sleep(100);
        }
        double cpu = ProcessCpu.seconds(pid).orElse(cpuBefore) - cpuBefore;
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        JsonObject figures = new JsonObject()
                .put("exitCode", exited == null ? -1 : process.exitValue())
                .put("commandSeconds", exited == null ? null : (exited - started) / 1e9)
                .put("online", online)
                .put("allOnline", allOnline != null)
                .put("memberCpuSeconds", cpu)
                .put("memberCpuSecondsPerHost", cpu / k);
        if (allOnline != null) {
            figures.put("secondsToAllOnline", (allOnline - started) / 1e9);
        }
        return figures;
    }

    /**
     * {@code installer/host-image/build.sh}'s image (built when missing) plus python3, tagged after
     * it: built once, reused while the script is unchanged.
     */
    private String hostImage(Path work) throws IOException, InterruptedException {
        Path script = root.resolve("installer").resolve("host-image").resolve("build.sh");
        Path log = work.resolve("host-image.log");
        Process build = new ProcessBuilder(script.toString()).redirectError(log.toFile()).start();
        String base = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        check(build.waitFor(), script.toString(), log);
        base = base.lines().reduce((first, second) -> second).orElseThrow(() -> new IllegalStateException(script + " printed no image"));
        String image = "localhost/muster-bench-host:" + base.substring(base.lastIndexOf(':') + 1);
        if (runQuiet(List.of("podman", "image", "exists", image), work.resolve("image-exists.log")) == 0) {
            return image;
        }
        Path containerfile = Files.writeString(work.resolve("Containerfile"), "FROM " + base + "\n"
                + "RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\n");
        Path buildLog = work.resolve("bench-image.log");
        check(runQuiet(List.of("podman", "build", "-t", image, "-f", containerfile.toString(), work.toString()), buildLog),
                "podman build " + image, buildLog);
        return image;
    }

    private String launcher() {
        return root.resolve("muster").toString();
    }

    private static int runQuiet(List<String> command, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(COMMAND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + COMMAND_DEADLINE.toMinutes()
                    + " min; see " + log);
        }
        return process.exitValue();
    }

    /** A command that failed ends the comparison: its time measures a failure, not the work. */
    static void check(int exitCode, String what, Path log) {
        if (exitCode != 0) {
            throw new IllegalStateException(what + " exited " + exitCode + " (see " + log + ")");
        }
    }
}
