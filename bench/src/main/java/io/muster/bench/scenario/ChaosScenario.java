package io.muster.bench.scenario;

import io.muster.agent.simulation.FleetSimulator;
import io.muster.bench.fleet.Member;
import io.muster.bench.fleet.Simulator;
import io.muster.bench.probe.CpuMeter;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.OnlineSampler;
import io.muster.bench.report.ScenarioResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * chaos: faults in sequence, each injected right after a fan-out to all N hosts was accepted, with
 * the same three figures for every one (issue 15): accepted runs <b>lost</b> (accepted by a 201 but
 * not terminal, or missing, once the fleet has recovered), runs executed <b>twice</b> (a simulator
 * executed one run id more than once, from the simulators' execution reports), and the time to
 * <b>recover</b> (from the end of the fault to every run of the fault's tasks terminal, every agent
 * connected and one cluster of every live member).
 *
 * <ol>
 *   <li>one failure domain cut off: the hosts of one simulator process labelled {@code dc=chaos-cut},
 *       the process stopped ({@code SIGSTOP}) for 30 s, then {@code SIGCONT};</li>
 *   <li>PostgreSQL stopped for 30 s (the bench's own embedded server, fast shutdown, restarted on the
 *       same port with the same data); 5 s into the outage a second task is submitted, and its answer
 *       (a 503 is right) and how long it took are reported;</li>
 *   <li>a member paused ({@code SIGSTOP}) for 15 s, longer than failure detection (5 s), then
 *       {@code SIGCONT}: it must rejoin;</li>
 *   <li>a member killed ({@code kill -9}); recovery counts from the kill. Last: the fleet stays one member short.</li>
 * </ol>
 *
 * <p>The scenario fails when any fault loses or duplicates a run, or the fleet does not recover
 * within 5 minutes. Runs on its own fleet (it breaks it) and stops the simulators at the end.
 */
public final class ChaosScenario implements Scenario {

    static final String DOMAIN = "chaos-cut";
    static final Duration DOMAIN_CUT = Duration.ofSeconds(30);
    static final Duration DATABASE_OUTAGE = Duration.ofSeconds(30);
    static final Duration WRITE_INTO_OUTAGE = Duration.ofSeconds(5);
    static final Duration MEMBER_PAUSE = Duration.ofSeconds(15);
    static final Duration RECOVERY_DEADLINE = Duration.ofMinutes(5);

    /** What one fault does between the accepted fan-out and its end; returns extra figures. */
    @FunctionalInterface
    private interface Injection {
        JsonObject inject(List<MemberApi.CreatedTask> tasks) throws Exception;
    }

    /** A fault's figures before the simulators' reports give its "twice". */
    private record Measured(String fault, String description, List<MemberApi.CreatedTask> tasks, long accepted, long terminal,
                            Map<String, Long> states, Double recoverySeconds, JsonObject details) {
    }

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        int n = context.settings().agents();
        List<Member> members = context.fleet().liveMembers();
        List<Simulator> simulators = context.fleet().simulators();
        if (members.size() < 2 || simulators.size() < 2) {
            throw new IllegalStateException("chaos needs two live members and two simulators (one is the cut-off domain), there are "
                    + members.size() + " and " + simulators.size());
        }
        Member entry = members.get(0);
        Member victim = members.get(members.size() - 1);
        Simulator domain = simulators.get(simulators.size() - 1);
        label(context, entry, domain);

        CpuMeter memberCpu = context.memberCpu();
        CpuMeter simulatorCpu = context.simulatorCpu();
        memberCpu.start();
        simulatorCpu.start();
        List<Measured> measured = new ArrayList<>();
        measured.add(fault(context, entry, "domain", String.format(Locale.ROOT,
                "one failure domain (dc=%s, %,d hosts: one simulator process) stopped (SIGSTOP) for %d s, then SIGCONT",
                DOMAIN, domain.agents(), DOMAIN_CUT.toSeconds()), tasks -> {
                    context.fleet().pause(domain.process());
                    Thread.sleep(DOMAIN_CUT.toMillis());
                    context.fleet().resume(domain.process());
                    return new JsonObject().put("domainHosts", domain.agents());
                }));
        measured.add(fault(context, entry, "database", String.format(Locale.ROOT,
                "PostgreSQL (the bench's own embedded server) stopped for %d s, then restarted on the same port and data",
                DATABASE_OUTAGE.toSeconds()), tasks -> {
                    long stopped = System.nanoTime();
                    context.fleet().database().stopServer();
                    Thread.sleep(WRITE_INTO_OUTAGE.toMillis());
                    JsonObject write = writeDuringOutage(context, entry, tasks);
                    write.put("readyzDuringOutage", context.api().ready(entry.httpPort()) ? 200 : 503);
                    Thread.sleep(Math.max(0, DATABASE_OUTAGE.toMillis() - (System.nanoTime() - stopped) / 1_000_000));
                    context.fleet().database().startServer();
                    return write;
                }));
        measured.add(fault(context, entry, "pause", String.format(Locale.ROOT,
                "a member (%s) paused (SIGSTOP) for %d s, longer than failure detection (5 s), then SIGCONT",
                victim.name(), MEMBER_PAUSE.toSeconds()), tasks -> {
                    context.fleet().pause(victim.process());
                    Thread.sleep(MEMBER_PAUSE.toMillis());
                    context.fleet().resume(victim.process());
                    return new JsonObject().put("pausedMember", victim.name());
                }));
        measured.add(fault(context, entry, "kill", String.format(Locale.ROOT, "a member (%s) killed with kill -9", victim.name()),
                tasks -> {
                    context.fleet().kill(victim);
                    return new JsonObject().put("killedMember", victim.name());
                }));
        CpuMeter.Usage memberUsage = memberCpu.stop();
        CpuMeter.Usage simulatorUsage = simulatorCpu.stop();

        context.progress().phase("chaos: simulators report");
        Executions executions;
        try (TaskRuns runs = new TaskRuns(context.fleet().database())) {
            executions = Executions.of(context.fleet().stopSimulators(), runs);
        }
        long terminalRuns = measured.stream().mapToLong(Measured::terminal).sum();
        UnitCost cost = new UnitCost("run", terminalRuns, memberUsage, simulatorUsage);
        JsonArray faults = new JsonArray();
        List<String> summary = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        long lostAll = 0;
        for (Measured m : measured) {
            long lost = m.accepted() - m.terminal();
            long twice = executions.twice(m.tasks().stream().map(MemberApi.CreatedTask::id).toList());
            lostAll += lost;
            faults.add(new JsonObject()
                    .put("fault", m.fault())
                    .put("description", m.description())
                    .put("agents", n)
                    .put("tasks", m.tasks().size())
                    .put("acceptedRuns", m.accepted())
                    .put("terminalRuns", m.terminal())
                    .put("lost", lost)
                    .put("twice", twice)
                    .put("recoverySeconds", m.recoverySeconds())
                    .put("states", new JsonObject(new LinkedHashMap<>(m.states())))
                    .mergeIn(m.details()));
            summary.add(String.format(Locale.ROOT, "%s: %s: lost %d, twice %d, recovered %s; %,d runs %s%s", m.fault(), m.description(),
                    lost, twice, m.recoverySeconds() == null ? "NOT within " + RECOVERY_DEADLINE.toSeconds() + " s"
                            : String.format(Locale.ROOT, "%.1f s after the fault ended", m.recoverySeconds()),
                    m.accepted(), m.states(), m.details().isEmpty() ? "" : " " + m.details().encode()));
            if (lost > 0 || twice > 0 || m.recoverySeconds() == null) {
                failures.add(m.fault());
            }
        }
        summary.add(String.format(Locale.ROOT, "executions %,d for %,d distinct runs; executed twice: %d", executions.executions(),
                executions.distinctRuns(), executions.twice()));
        summary.add(cost.line());
        JsonObject figures = new JsonObject()
                .put("agents", n)
                .put("members", members.size())
                .put("faults", faults)
                .put("lost", lostAll)
                .put("twice", executions.twice())
                .put("executions", executions.executions())
                .put("distinctRunsExecuted", executions.distinctRuns())
                .put("runsExecutedTwiceSample", new JsonArray(executions.twiceSample()));
        cost.addTo(figures);
        if (!failures.isEmpty() || executions.twice() > 0) {
            figures.put("error", "lost or duplicated runs, or no recovery, under: " + String.join(", ", failures)
                    + (executions.twice() > 0 ? " (runs executed twice: " + executions.twice() + ")" : ""));
            summary.add(figures.getString("error"));
        }
        summary.forEach(line -> context.progress().note("chaos: " + line));
        return new ScenarioResult("chaos", figures, summary);
    }

    /** Labels the hosts of one simulator process {@code dc=chaos-cut}: a failure domain that one signal cuts off. */
    private static void label(BenchContext context, Member entry, Simulator domain) throws IOException {
        context.progress().phase("chaos: labelling " + domain.agents() + " hosts dc=" + DOMAIN);
        for (int i = 0; i < domain.agents(); i++) {
            // The ids BenchFleet's simulators give their hosts: prefix sim<index>, seed index + 1.
            String host = FleetSimulator.hostId("sim" + domain.index(), domain.index() + 1L, i);
            context.api().setLabels(entry.httpPort(), host, Map.of("dc", DOMAIN));
        }
    }

    /**
     * Waits for a whole, quiet fleet, accepts a fan-out to every host, injects the fault and waits
     * until the fleet has recovered from it.
     */
    private static Measured fault(BenchContext context, Member entry, String name, String description, Injection injection)
            throws Exception {
        int n = context.settings().agents();
        context.progress().phase("chaos " + name + ": waiting for every host");
        List<Member> alive = context.fleet().liveMembers();
        if (!context.awaitOnline(n, RECOVERY_DEADLINE, alive, "every host before the fault")) {
            throw new IllegalStateException("chaos " + name + ": only " + context.sampler().latest() + " of " + n
                    + " hosts connected before the fault");
        }
        try (TaskRuns runs = new TaskRuns(context.fleet().database())) {
            while (runs.targetableHosts() < n) {
                context.fleet().checkAlive("every host to be targetable", alive);
                Thread.sleep(100);
            }
        }
        context.progress().phase("chaos " + name);
        List<MemberApi.CreatedTask> tasks = new ArrayList<>();
        tasks.add(context.api().createTask(entry.httpPort(), FanoutScenario.request()));
        context.progress().note("chaos " + name + ": " + description);
        JsonObject details = injection.inject(tasks);
        long ended = System.nanoTime();
        context.sampler().restart(n);
        context.progress().phase("chaos " + name + ": recovering");
        List<Member> survivors = context.fleet().liveMembers();
        Double recovered = null;
        long accepted = tasks.stream().mapToLong(MemberApi.CreatedTask::total).sum();
        long terminal = 0;
        long deadline = ended + RECOVERY_DEADLINE.toNanos();
        try (TaskRuns runs = new TaskRuns(context.fleet().database())) {
            while (System.nanoTime() < deadline) {
                context.fleet().checkAlive("the fleet to recover from the " + name + " fault", survivors);
                terminal = terminal(runs, tasks);
                List<OnlineSampler.Point> points = context.sampler().points();
                boolean connected = !points.isEmpty() && points.get(points.size() - 1).online() >= n;
                context.progress().runs(terminal, accepted);
                if (terminal >= accepted && connected && oneCluster(context, entry, survivors.size())) {
                    recovered = (System.nanoTime() - ended) / 1e9;
                    break;
                }
                Thread.sleep(100);
            }
            Map<String, Long> states = new LinkedHashMap<>();
            for (MemberApi.CreatedTask task : tasks) {
                runs.states(task.id()).forEach((state, count) -> states.merge(state, count, Long::sum));
            }
            return new Measured(name, description, tasks, accepted, terminal, states, recovered, details);
        }
    }

    /** Terminal runs over the tasks (a run row missing counts as not terminal: accepted is the 201's total). */
    private static long terminal(TaskRuns runs, List<MemberApi.CreatedTask> tasks) throws java.sql.SQLException {
        long terminal = 0;
        for (MemberApi.CreatedTask task : tasks) {
            terminal += runs.counts(task.id()).terminal();
        }
        return terminal;
    }

    private static boolean oneCluster(BenchContext context, Member entry, int live) {
        return context.api().cluster(entry.httpPort())
                .map(c -> c.getJsonArray("members") != null && c.getJsonArray("members").size() == live)
                .orElse(false);
    }

    /**
     * An API write while the database is away: a 503 problem, quickly, is right; a task accepted
     * anyway joins the fault's tasks (it must not be lost either).
     */
    private static JsonObject writeDuringOutage(BenchContext context, Member entry, List<MemberApi.CreatedTask> tasks) {
        long started = System.nanoTime();
        JsonObject write = new JsonObject();
        try {
            tasks.add(context.api().createTask(entry.httpPort(), FanoutScenario.request()));
            write.put("writeDuringOutage", "201 accepted");
        } catch (IOException e) {
            write.put("writeDuringOutage", e.getMessage());
        }
        return write.put("writeDuringOutageMillis", (System.nanoTime() - started) / 1_000_000);
    }
}
