package io.muster.bench.scenario;

import io.muster.bench.fleet.BenchFleet;
import io.muster.bench.fleet.FleetSettings;
import io.muster.bench.fleet.Member;
import io.muster.bench.probe.AgentProcesses;
import io.muster.bench.probe.ClusterReading;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.NativeMemory;
import io.muster.bench.probe.ProcessCpu;
import io.muster.bench.probe.ProcessMemory;
import io.muster.bench.report.ScenarioResult;
import io.muster.launch.ChildProcess;
import io.muster.launch.JvmCommand;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * footprint: what a real agent costs a host. One controller member, then {@code muster agent}
 * started the way a person starts it (the launcher script, with its supervision), against it.
 * Memory of every process that runs for the agent ({@link AgentProcesses}: the launcher, any
 * supervisor, the agent JVM) from {@code /proc} (RSS and PSS, {@link ProcessMemory}): at idle,
 * after the agent has settled, and during an exec task that streams output for a while. The
 * task's own processes (its shell and command) are reported apart: they are the user's work.
 *
 * <p>Then the same again with {@code -XX:NativeMemoryTracking=summary} in every JVM of the agent
 * (through {@code JAVA_TOOL_OPTIONS}, so supervisor and agent alike), for the breakdown
 * ({@link NativeMemory}: heap, metaspace and class space, threads, code cache, GC, symbols, CDS,
 * direct buffers) and the resident size per mapping (libjvm, the CDS archive, jars, heap). NMT
 * costs memory itself, which is why the RSS figures come from the first run.
 *
 * <p>On this machine other JVMs of the same JDK run too (the member, other work), so PSS is lower
 * than on a host where the agent runs alone; RSS is the figure the target is judged on.
 */
public final class FootprintScenario implements Scenario {

    /** Target of issue 16: the whole agent, supervision included. */
    static final long TARGET_KB = 64 * 1024;
    private static final Duration ONLINE_DEADLINE = Duration.ofMinutes(3);
    private static final Duration TASK_DEADLINE = Duration.ofMinutes(2);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration SAMPLE_EVERY = Duration.ofMillis(250);
    /** An exec task that runs about 10 s and writes a line every 100 ms: output flushes while it runs. */
    static final String TASK_SHELL = "i=0; while [ $i -lt 100 ]; do echo \"footprint line $i $(date +%s%N)\"; i=$((i+1)); sleep 0.1; done";

    private final FleetSettings fleetSettings;
    private final JvmCommand java;
    private final List<String> agentCommand;
    private final Duration idle;

    /**
     * @param agentCommand how a person starts the agent, before its options, e.g. {@code [/src/muster, agent]}
     * @param idle         how long the agent settles after it came online before idle is measured
     */
    public FootprintScenario(FleetSettings fleetSettings, JvmCommand java, List<String> agentCommand, Duration idle) {
        this.fleetSettings = fleetSettings;
        this.java = java;
        this.agentCommand = List.copyOf(agentCommand);
        this.idle = idle;
    }

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        Path work = fleetSettings.dataDir().resolve("footprint");
        Files.createDirectories(work);
        FleetSettings one = new FleetSettings(work.resolve("fleet"), 1, fleetSettings.heartbeat(), fleetSettings.dbUrl(),
                fleetSettings.agentsPerChannel(), fleetSettings.connectRate(), fleetSettings.taskDelay(),
                fleetSettings.memberJvmFlags(), fleetSettings.simulatorJvmFlags(), fleetSettings.memberArguments(),
                fleetSettings.adminTokenFile().map(f -> work.resolve("fleet").resolve(f.getFileName())));
        MemberApi api = new MemberApi(one.adminTokenFile());
        JsonObject figures = new JsonObject().put("agentCommand", new JsonArray(new ArrayList<>(agentCommand)))
                .put("idleSettleSeconds", idle.toSeconds());
        List<String> summary = new ArrayList<>();
        context.progress().phase("footprint: starting a member");
        try (BenchFleet fleet = BenchFleet.start(one, java, api, context.clock())) {
            Member member = fleet.members().get(0);
            JsonObject plain = measure(context, fleet, member, api, work, false);
            JsonObject tracked = measure(context, fleet, member, api, work, true);
            figures.put("rss", plain).put("nativeMemoryTracking", tracked);
        }
        JsonObject idleFigures = figures.getJsonObject("rss").getJsonObject("idle");
        JsonObject taskFigures = figures.getJsonObject("rss").getJsonObject("task");
        long idleRss = idleFigures.getLong("maxRssKb");
        long taskRss = taskFigures.getLong("maxRssKb");
        figures.put("idleRssKb", idleRss).put("idlePssKb", idleFigures.getLong("maxPssKb"))
                .put("taskRssKb", taskRss).put("taskPssKb", taskFigures.getLong("maxPssKb"))
                .put("targetKb", TARGET_KB).put("targetMet", idleRss <= TARGET_KB && taskRss <= TARGET_KB);
        summary.add("agent JVM: " + agentJava(idleFigures.getJsonArray("processes")));
        figures.put("agentJava", agentJava(idleFigures.getJsonArray("processes")));
        summary.add(String.format(Locale.ROOT, "whole agent at idle: %.1f MiB RSS, %.1f MiB PSS over %d processes (%s)",
                mib(idleRss), mib(idleFigures.getLong("maxPssKb")), idleFigures.getJsonArray("processes").size(),
                describe(idleFigures.getJsonArray("processes"))));
        summary.add(String.format(Locale.ROOT, "whole agent during an exec task: %.1f MiB RSS, %.1f MiB PSS (%s); the task's own"
                        + " processes %.1f MiB RSS at most",
                mib(taskRss), mib(taskFigures.getLong("maxPssKb")), describe(taskFigures.getJsonArray("processes")),
                mib(taskFigures.getLong("maxTaskProcessesRssKb"))));
        summary.add(String.format(Locale.ROOT, "agent CPU at idle: %.3f s per minute (%.2f %% of one core); the exec task: %.2f s"
                        + " of agent CPU for %d lines of output",
                idleFigures.getDouble("cpuSecondsPerMinute"), idleFigures.getDouble("cpuSecondsPerMinute") / 0.6,
                taskFigures.getDouble("agentCpuSeconds"), 100));
        summary.add(String.format(Locale.ROOT, "target <= 64 MiB RSS at idle and during a task: %s",
                figures.getBoolean("targetMet") ? "met" : "not met"));
        summary.addAll(breakdown(figures.getJsonObject("nativeMemoryTracking")));
        summary.forEach(line -> context.progress().note("footprint: " + line));
        return new ScenarioResult("footprint", figures, summary);
    }

    /** One agent run: start, idle, a task, stop. With {@code nmt}, the JVMs' own breakdown too. */
    private JsonObject measure(BenchContext context, BenchFleet fleet, Member member, MemberApi api, Path work,
                               boolean nmt) throws Exception {
        String label = nmt ? "footprint (NMT)" : "footprint";
        Path dataDir = work.resolve("agent-data");
        List<String> command = new ArrayList<>(agentCommand);
        command.addAll(List.of("--controller", member.grpcAddress(), "--data-dir", dataDir.toString()));
        command.addAll(agentArguments(fleet.settings()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        if (nmt) {
            builder.environment().put("JAVA_TOOL_OPTIONS", "-XX:NativeMemoryTracking=summary");
        }
        context.progress().phase(label + ": starting the agent");
        ChildProcess agent = ChildProcess.start(nmt ? "agent-nmt" : "agent", builder,
                fleet.settings().logs().resolve(nmt ? "agent-nmt.log" : "agent.log"));
        JsonObject run = new JsonObject();
        try {
            long started = System.nanoTime();
            awaitOnline(agent, api, member, fleet);
            run.put("onlineAfterSeconds", (System.nanoTime() - started) / 1e9);
            context.progress().phase(label + ": idle " + idle.toSeconds() + " s");
            Thread.sleep(idle.toMillis());
            double cpuBefore = cpu(AgentProcesses.of(agent.pid()).agent());
            long window = System.nanoTime();
            JsonObject idleFigures = sample(agent, Duration.ofSeconds(10), null);
            double cpuSeconds = cpu(AgentProcesses.of(agent.pid()).agent()) - cpuBefore;
            idleFigures.put("cpuSecondsPerMinute", cpuSeconds * 60e9 / (System.nanoTime() - window));
            if (nmt) {
                idleFigures.put("jvms", jvms(agent));
            }
            run.put("idle", idleFigures);

            context.progress().phase(label + ": an exec task");
            String hostId = Files.readString(dataDir.resolve("host-id")).strip();
            JsonObject request = new JsonObject()
                    .put("target", new JsonObject().put("hosts", new JsonArray().add(hostId)))
                    .put("kind", "exec").put("spec", new JsonObject().put("shell", TASK_SHELL))
                    .put("timeoutSeconds", 120);
            double taskCpuBefore = cpu(AgentProcesses.of(agent.pid()).agent());
            MemberApi.CreatedTask task = api.createTask(member.httpPort(), request);
            JsonObject taskFigures;
            try (TaskRuns runs = new TaskRuns(fleet.database())) {
                taskFigures = sample(agent, TASK_DEADLINE, () -> {
                    TaskRuns.Counts counts = runs.counts(task.id());
                    return counts.total() > 0 && counts.terminal() >= counts.total();
                });
                if (!taskFigures.getBoolean("finished")) {
                    throw new IllegalStateException("the exec task did not finish within " + TASK_DEADLINE.toSeconds()
                            + " s: " + runs.states(task.id()));
                }
                Map<String, Long> states = runs.states(task.id());
                if (states.getOrDefault("succeeded", 0L) != 1) {
                    throw new IllegalStateException("the exec task did not succeed: " + states);
                }
            }
            taskFigures.put("agentCpuSeconds", cpu(AgentProcesses.of(agent.pid()).agent()) - taskCpuBefore);
            run.put("task", taskFigures);
            if (nmt) {
                // Right after the task: what the run left behind (output buffers, executor threads, compiled code).
                taskFigures.put("jvmsAfterTask", jvms(agent));
            }
        } finally {
            context.progress().phase(label + ": stopping the agent");
            boolean clean = agent.stop(STOP_GRACE);
            run.put("stoppedCleanly", clean).put("exitCode", agent.exitCode().orElse(-1));
        }
        return run;
    }

    /** The agent's arguments this build needs against the bench's member (a plaintext gateway). */
    private static List<String> agentArguments(FleetSettings settings) {
        return settings.memberArguments().contains("--insecure") ? List.of("--insecure") : List.of();
    }

    private void awaitOnline(ChildProcess agent, MemberApi api, Member member, BenchFleet fleet)
            throws InterruptedException {
        long end = System.nanoTime() + ONLINE_DEADLINE.toNanos();
        while (ClusterReading.localConnected(api, member).orElse(0L) < 1) {
            fleet.checkAlive("the agent to connect", List.of(member));
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited with code " + agent.exitCode().orElse(-1)
                        + " before it connected; see " + agent.log());
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the agent did not connect within " + ONLINE_DEADLINE.toSeconds()
                        + " s; see " + agent.log());
            }
            Thread.sleep(200);
        }
    }

    @FunctionalInterface
    private interface Done {
        boolean now() throws Exception;
    }

    /**
     * Samples the agent's processes every {@link #SAMPLE_EVERY} for {@code duration}, or until
     * {@code done} says so: the largest sum of RSS and of PSS over the agent's processes, the
     * processes at the sample with the largest RSS, and the task processes' largest RSS.
     */
    private static JsonObject sample(ChildProcess agent, Duration duration, Done done) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        long maxRss = 0;
        long maxPss = 0;
        long maxTaskRss = 0;
        int samples = 0;
        JsonArray atMax = new JsonArray();
        boolean finished = false;
        while (true) {
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited with code " + agent.exitCode().orElse(-1)
                        + " while it was measured; see " + agent.log());
            }
            AgentProcesses tree = AgentProcesses.of(agent.pid());
            long rss = 0;
            long pss = 0;
            JsonArray processes = new JsonArray();
            for (long pid : tree.agent()) {
                Optional<ProcessMemory> memory = ProcessMemory.read(pid);
                if (memory.isPresent()) {
                    rss += memory.get().rssKb();
                    pss += memory.get().pssKb();
                    processes.add(memory.get().toJson().put("arguments", arguments(pid)));
                }
            }
            long taskRss = 0;
            for (long pid : tree.tasks()) {
                taskRss += ProcessMemory.read(pid).map(ProcessMemory::rssKb).orElse(0L);
            }
            samples++;
            maxTaskRss = Math.max(maxTaskRss, taskRss);
            maxPss = Math.max(maxPss, pss);
            if (rss > maxRss) {
                maxRss = rss;
                atMax = processes;
            }
            if (done != null && done.now()) {
                finished = true;
                break;
            }
            if (System.nanoTime() > end) {
                break;
            }
            Thread.sleep(SAMPLE_EVERY.toMillis());
        }
        return new JsonObject().put("maxRssKb", maxRss).put("maxPssKb", maxPss).put("samples", samples)
                .put("processes", atMax).put("maxTaskProcessesRssKb", maxTaskRss).put("finished", finished);
    }

    /** NMT summary and resident size per mapping of every JVM of the agent. */
    private JsonArray jvms(ChildProcess agent) throws InterruptedException {
        JsonArray jvms = new JsonArray();
        String jcmd = NativeMemory.jcmdNextTo(java.javaBinary());
        for (long pid : AgentProcesses.of(agent.pid()).agent()) {
            boolean jvm = ProcessHandle.of(pid).flatMap(p -> p.info().command())
                    .map(c -> c.endsWith("/java")).orElse(false);
            if (!jvm) {
                continue;
            }
            JsonObject entry = new JsonObject().put("pid", pid).put("arguments", arguments(pid));
            ProcessMemory.read(pid).ifPresent(m -> entry.put("memory", m.toJson()));
            try {
                entry.put("nmt", NativeMemory.of(jcmd, pid).toJson());
            } catch (IOException e) {
                entry.put("nmtError", e.getMessage());
            }
            JsonObject mappings = new JsonObject();
            ProcessMemory.residentByMapping(pid).entrySet().stream().limit(15)
                    .forEach(e -> mappings.put(e.getKey(), e.getValue()));
            entry.put("residentKbByMapping", mappings);
            jvms.add(entry);
        }
        return jvms;
    }

    private static String arguments(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().arguments())
                .map(a -> {
                    List<String> shown = new ArrayList<>();
                    for (String argument : a) {
                        if (argument.startsWith("-X") || argument.equals("agent") || argument.startsWith("--supervised")
                                || argument.startsWith("--no-supervisor") || argument.endsWith(".sh")
                                || argument.endsWith("muster") || argument.contains("MusterCommand")) {
                            shown.add(argument);
                        }
                    }
                    return String.join(" ", shown);
                }).orElse("");
    }

    private static double cpu(List<Long> pids) {
        double total = 0;
        for (long pid : pids) {
            OptionalDouble seconds = ProcessCpu.seconds(pid);
            total += seconds.orElse(0);
        }
        return total;
    }

    /** The java binary the agent's JVMs run (the launcher picks the newest JDK unless JAVA_HOME says otherwise). */
    private static String agentJava(JsonArray processes) {
        for (Object p : processes) {
            String command = ((JsonObject) p).getString("command");
            if (command.endsWith("/java")) {
                return command;
            }
        }
        return "?";
    }

    /** "java 81.2 MiB + java 50.1 MiB". */
    private static String describe(JsonArray processes) {
        List<String> parts = new ArrayList<>();
        for (Object p : processes) {
            JsonObject process = (JsonObject) p;
            String command = process.getString("command");
            parts.add(String.format(Locale.ROOT, "%s %.1f MiB", command.substring(command.lastIndexOf('/') + 1),
                    mib(process.getLong("rssKb"))));
        }
        return String.join(" + ", parts);
    }

    /** Lines for the summary: per JVM at idle, the NMT categories above 512 KiB and the top mappings. */
    private static List<String> breakdown(JsonObject tracked) {
        List<String> lines = new ArrayList<>();
        JsonArray jvms = tracked.getJsonObject("idle").getJsonArray("jvms");
        for (Object j : jvms) {
            JsonObject jvm = (JsonObject) j;
            JsonObject nmt = jvm.getJsonObject("nmt");
            String who = jvm.getString("arguments").contains("--supervised") || jvm.getString("arguments").contains("--no-supervisor")
                    || jvms.size() == 1 ? "agent JVM" : "supervisor JVM";
            if (nmt == null) {
                lines.add(who + ": no NMT summary (" + jvm.getString("nmtError") + ")");
                continue;
            }
            Map<String, Long> categories = new LinkedHashMap<>();
            nmt.getJsonObject("committedKb").forEach(e -> categories.put(e.getKey(), ((Number) e.getValue()).longValue()));
            List<String> parts = new ArrayList<>();
            categories.entrySet().stream().filter(e -> e.getValue() >= 512)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> parts.add(String.format(Locale.ROOT, "%s %.1f", e.getKey(), mib(e.getValue()))));
            long rss = jvm.getJsonObject("memory") == null ? 0 : jvm.getJsonObject("memory").getLong("rssKb");
            lines.add(String.format(Locale.ROOT, "%s at idle (with NMT): RSS %.1f MiB; NMT committed %.1f MiB: %s (MiB); %d classes, %d threads",
                    who, mib(rss), mib(nmt.getLong("totalCommittedKb")), String.join(", ", parts), nmt.getLong("classes"),
                    nmt.getLong("threads")));
            List<String> mapped = new ArrayList<>();
            jvm.getJsonObject("residentKbByMapping").stream().limit(6).forEach(e -> mapped.add(String.format(Locale.ROOT,
                    "%s %.1f", shortName(e.getKey()), mib(((Number) e.getValue()).longValue()))));
            lines.add(who + " resident by mapping (MiB): " + String.join(", ", mapped));
        }
        return lines;
    }

    private static String shortName(String mapping) {
        return mapping.startsWith("/") ? mapping.substring(mapping.lastIndexOf('/') + 1) : mapping;
    }

    private static double mib(long kb) {
        return kb / 1024.0;
    }
}
