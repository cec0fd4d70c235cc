package io.muster.bench.peer;

import io.muster.bench.fleet.BenchFleet;
import io.muster.bench.fleet.FleetSettings;
import io.muster.launch.JvmCommand;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.report.ScenarioResult;
import io.muster.bench.scenario.BenchContext;
import io.muster.bench.scenario.Scenario;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * peer: Muster side by side with Ansible on this machine.
 * <ul>
 *   <li>Push: one file to K hosts. Ansible ({@code copy} module over SSH to 127.0.0.x, one sshd,
 *   forks 5 (its default) and 50) against one Muster config task to K real agents (one member
 *   process, agents in this JVM). Both write K distinct files, verified byte for byte.</li>
 *   <li>Inventory: the agent's full OSHI collection against {@code facter}, each as its own
 *   process under {@code /usr/bin/time -v}: wall time and peak RSS.</li>
 * </ul>
 */
public final class PeerScenario implements Scenario {

    private final List<Integer> hostCounts;
    private final FleetSettings fleetSettings;
    private final JvmCommand java;
    private final List<String> agentJvmOptions;

    /**
     * @param fleetSettings   the bench's fleet settings; the peer's own one-member fleet is made from them
     * @param agentJvmOptions the JVM settings of an agent process (for the inventory run)
     */
    public PeerScenario(List<Integer> hostCounts, FleetSettings fleetSettings, JvmCommand java, List<String> agentJvmOptions) {
        this.hostCounts = List.copyOf(hostCounts);
        this.fleetSettings = fleetSettings;
        this.java = java;
        this.agentJvmOptions = List.copyOf(agentJvmOptions);
    }

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        Path work = fleetSettings.dataDir().resolve("peer");
        Files.createDirectories(work);
        List<String> summary = new ArrayList<>();
        JsonObject figures = new JsonObject();

        context.progress().phase("peer: inventory");
        JsonObject inventory = inventory(work);
        figures.put("inventory", inventory);
        summary.add(String.format(Locale.ROOT, "inventory: agent (OSHI, JVM) %.2f s and %.0f MiB peak RSS; facter %.2f s and %.0f MiB",
                inventory.getJsonObject("agent").getDouble("wallSeconds"), inventory.getJsonObject("agent").getLong("peakRssBytes") / 1048576.0,
                inventory.getJsonObject("facter").getDouble("wallSeconds"), inventory.getJsonObject("facter").getLong("peakRssBytes") / 1048576.0));

        Path source = work.resolve("motd");
        Files.writeString(source, motd(), StandardCharsets.UTF_8);
        JsonArray pushes = new JsonArray();
        List<Integer> counts = new ArrayList<>(hostCounts);
        Collections.sort(counts);
        JsonObject[] byHosts = new JsonObject[counts.size()];
        context.progress().phase("peer: ansible");
        try (LoopbackSshd sshd = LoopbackSshd.start(work.resolve("sshd"))) {
            AnsiblePush ansible = new AnsiblePush(sshd, work);
            for (int i = 0; i < counts.size(); i++) {
                int k = counts.get(i);
                byHosts[i] = new JsonObject().put("hosts", k);
                for (int forks : AnsiblePush.forks()) {
                    context.progress().phase("peer: ansible K=" + k + " forks=" + forks);
                    AnsiblePush.Result result = ansible.push(k, forks, source);
                    succeeded("ansible-playbook (K=" + k + ", forks=" + forks + ")", result.exitCode(),
                            work.resolve("ansible-" + k + "-forks-" + forks).resolve("ansible.log"));
                    byHosts[i].put("ansibleForks" + forks, new JsonObject().put("seconds", result.seconds())
                            .put("verified", result.verified()).put("exitCode", result.exitCode()));
                }
            }
        }
        context.progress().phase("peer: muster");
        FleetSettings one = new FleetSettings(work.resolve("fleet"), 1, fleetSettings.heartbeat(), fleetSettings.dbUrl(),
                fleetSettings.agentsPerChannel(), fleetSettings.connectRate(), fleetSettings.taskDelay(),
                fleetSettings.memberJvmFlags(), fleetSettings.simulatorJvmFlags(), fleetSettings.memberArguments(),
                fleetSettings.adminTokenFile().map(f -> work.resolve("fleet").resolve(f.getFileName())));
        MemberApi api = new MemberApi(one.adminTokenFile());
        int most = counts.get(counts.size() - 1);
        try (BenchFleet fleet = BenchFleet.start(one, java, api, context.clock());
             MusterPush muster = MusterPush.start(fleet, api, work.resolve("muster"), most)) {
            for (int i = 0; i < counts.size(); i++) {
                int k = counts.get(i);
                context.progress().phase("peer: muster K=" + k);
                MusterPush.Result result = muster.push(k, source);
                byHosts[i].put("muster", new JsonObject().put("seconds", result.seconds()).put("postSeconds", result.postSeconds())
                        .put("verified", result.verified()).put("succeeded", result.succeeded()));
            }
        }
        for (JsonObject k : byHosts) {
            double muster = k.getJsonObject("muster").getDouble("seconds");
            for (int forks : AnsiblePush.forks()) {
                double ansible = k.getJsonObject("ansibleForks" + forks).getDouble("seconds");
                k.put("ratioAnsibleForks" + forks + "OverMuster", ansible / muster);
            }
            pushes.add(k);
            summary.add(String.format(Locale.ROOT,
                    "one file to %d hosts: Muster %.2f s (%d/%d verified); Ansible forks=5 %.2f s (%.1fx), forks=50 %.2f s (%.1fx) (%d and %d verified)",
                    k.getInteger("hosts"), muster, k.getJsonObject("muster").getInteger("verified"), k.getInteger("hosts"),
                    k.getJsonObject("ansibleForks5").getDouble("seconds"), k.getDouble("ratioAnsibleForks5OverMuster"),
                    k.getJsonObject("ansibleForks50").getDouble("seconds"), k.getDouble("ratioAnsibleForks50OverMuster"),
                    k.getJsonObject("ansibleForks5").getInteger("verified"), k.getJsonObject("ansibleForks50").getInteger("verified")));
        }
        figures.put("push", pushes);
        summary.add("Ansible: ansible-playbook wall time, copy module, no fact gathering, 127.0.0.x over one sshd; Muster: POST of one"
                + " config task to the last result recorded in PostgreSQL, one member, real agents with the real config executor");
        summary.forEach(line -> context.progress().note("peer: " + line));
        return new ScenarioResult("peer", figures, summary);
    }

    private JsonObject inventory(Path work) throws Exception {
        TimedProcess.Usage facter = TimedProcess.run(List.of("facter", "--json"), work.resolve("facter.log"));
        succeeded("facter --json", facter.exitCode(), work.resolve("facter.log"));
        List<String> flags = new ArrayList<>(agentJvmOptions);
        TimedProcess.Usage agent = TimedProcess.run(
                java.withMainClass(InventoryOnce.class.getName()).command(flags, List.of()), work.resolve("agent-inventory.log"));
        succeeded("the agent's inventory", agent.exitCode(), work.resolve("agent-inventory.log"));
        return new JsonObject()
                .put("agent", new JsonObject().put("wallSeconds", agent.wallSeconds()).put("peakRssBytes", agent.peakRssBytes())
                        .put("exitCode", agent.exitCode()).put("jvmOptions", new JsonArray(agentJvmOptions)))
                .put("facter", new JsonObject().put("wallSeconds", facter.wallSeconds()).put("peakRssBytes", facter.peakRssBytes())
                        .put("exitCode", facter.exitCode()));
    }

    /** A side that failed is not compared: its time measures a failure, not the work. */
    static void succeeded(String what, int exitCode, Path log) {
        if (exitCode != 0) {
            throw new IllegalStateException(what + " exited " + exitCode + " (see " + log + "); not compared");
        }
    }

    /** About 4 KiB of text: a realistic message-of-the-day with a policy notice. */
    static String motd() {
        StringBuilder text = new StringBuilder("This host is managed by configuration management. Local changes are overwritten.\n");
        for (int i = 1; text.length() < 4000; i++) {
            text.append(String.format(Locale.ROOT, "%03d  Authorised use only; activity may be monitored and recorded.%n", i));
        }
        return text.toString();
    }

}
