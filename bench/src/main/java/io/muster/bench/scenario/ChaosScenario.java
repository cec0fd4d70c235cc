package io.muster.bench.scenario;

import io.muster.agent.simulation.FleetSimulator;
import io.muster.bench.fault.MalformedGrpc;
import io.muster.bench.fault.MemberPartition;
import io.muster.bench.fault.Slowloris;
import io.muster.bench.fleet.Member;
import io.muster.bench.fleet.Simulator;
import io.muster.bench.probe.ApiLatency;
import io.muster.bench.probe.CpuMeter;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.OnlineSampler;
import io.muster.bench.probe.SessionsAgreement;
import io.muster.bench.report.ScenarioResult;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

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
 *   <li>a network partition between that member and the other two for 30 s, then healed: nftables
 *       drops its Hazelcast traffic to and from them ({@link MemberPartition}); when each member's
 *       {@code /api/v1/cluster} showed the split is reported, and, after healing, when every member
 *       listed every member again; recovery here also waits for every agent on exactly one member
 *       and every member's sessions map agreeing ({@link SessionsAgreement});</li>
 *   <li>slow and bad clients for 20 s during the fan-out: 300 slowloris connections on the first
 *       member's HTTP port ({@link Slowloris}) and 300 raw HTTP/2 streams with malformed, truncated,
 *       oversized or cut gRPC messages on its agent port ({@link MalformedGrpc}); the API's latency
 *       ({@link ApiLatency}) during the attack, and over 10 s before it, is reported with the
 *       figures; recovery counts from the end of the attack;</li>
 *   <li>a member killed ({@code kill -9}); recovery counts from the kill. Last: the fleet stays one member short.</li>
 * </ol>
 *
 * <p>The scenario fails when any fault loses or duplicates a run, the fleet does not recover
 * within 5 minutes, or the partition was not seen by the members. Runs on its own fleet (it breaks
 * it) and stops the simulators at the end. Needs root and {@code nft} (checked first).
 */
public final class ChaosScenario implements Scenario {

    static final String DOMAIN = "chaos-cut";
    static final Duration DOMAIN_CUT = Duration.ofSeconds(30);
    static final Duration DATABASE_OUTAGE = Duration.ofSeconds(30);
    static final Duration WRITE_INTO_OUTAGE = Duration.ofSeconds(5);
    static final Duration MEMBER_PAUSE = Duration.ofSeconds(15);
    static final Duration MEMBER_SPLIT = Duration.ofSeconds(30);
    /** How long the nft rules drop packets at most, whatever happens to the bench: the split and then some. */
    static final Duration SPLIT_EXPIRY = MEMBER_SPLIT.plus(Duration.ofMinutes(2));
    static final Duration BAD_CLIENTS = Duration.ofSeconds(20);
    static final int SLOWLORIS_CONNECTIONS = 300;
    static final Duration SLOWLORIS_TRICKLE = Duration.ofSeconds(3);
    static final int BAD_STREAMS = 300;
    /** Bad streams waiting for their answers at once: enough to keep the member busy, few enough for 2 cores. */
    static final int BAD_STREAMS_AT_ONCE = 16;
    static final Duration BAD_STREAM_ANSWER = Duration.ofSeconds(30);
    /** 20 API requests a second: a steady client, not a load of its own. */
    static final Duration API_PACE = Duration.ofMillis(50);
    static final Duration API_BEFORE = Duration.ofSeconds(10);
    static final Duration RECOVERY_DEADLINE = Duration.ofMinutes(5);
    /** A details key naming why a fault was not made as described; such a fault fails the scenario. */
    static final String NOT_INJECTED = "notInjected";

    /** What one fault does between the accepted fan-out and its end; returns extra figures. */
    @FunctionalInterface
    private interface Injection {
        JsonObject inject(List<MemberApi.CreatedTask> tasks) throws Exception;
    }

    /**
     * What a fault's recovery waits for beyond every run of its tasks terminal, every agent
     * connected and the first member listing every live member.
     */
    private interface Settling {
        /** Called on every poll while recovering, {@code seconds} after the fault ended; may note figures in details. */
        default void observe(double seconds, JsonObject details) throws Exception {
        }

        /**
         * What the fault's own recovery still waits for, {@code seconds} after the fault ended (empty:
         * nothing); asked only once the common signs are there (it may be costly).
         */
        default Optional<String> waitingFor(double seconds, JsonObject details) throws Exception {
            return Optional.empty();
        }
    }

    private static final Settling COMMON = new Settling() {
    };

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
        try {
            MemberPartition.checkAvailable();
        } catch (IOException e) {
            throw new IllegalStateException("chaos splits the members with nftables, which needs root and nft: " + e.getMessage(), e);
        }
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
        measured.add(fault(context, entry, "partition", String.format(Locale.ROOT,
                "a member (%s) cut off from the other %d by nftables (its Hazelcast traffic to and from them dropped) for %d s, then healed",
                victim.name(), members.size() - 1, MEMBER_SPLIT.toSeconds()), tasks -> split(context, victim),
                new PartitionSettling(context, n)));
        context.progress().phase("chaos: API latency before the bad clients");
        JsonObject apiBefore = apiLatency(context, entry, API_BEFORE);
        measured.add(fault(context, entry, "badclients", String.format(Locale.ROOT,
                "slow and bad clients on %s for %d s during the fan-out: %d slowloris connections on its HTTP port (a partial"
                        + " request head, a byte every %d s) and %d raw HTTP/2 streams with malformed, truncated, oversized or cut"
                        + " gRPC messages on its agent port", entry.name(), BAD_CLIENTS.toSeconds(), SLOWLORIS_CONNECTIONS,
                SLOWLORIS_TRICKLE.toSeconds(), BAD_STREAMS), tasks -> badClients(context, entry).put("apiLatencyBefore", apiBefore)));
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
            summary.add(String.format(Locale.ROOT, "%s: %s: lost %d, twice %d, recovered %s%s; %,d runs %s%s", m.fault(), m.description(),
                    lost, twice, m.recoverySeconds() == null ? "NOT within " + RECOVERY_DEADLINE.toSeconds() + " s"
                            : String.format(Locale.ROOT, "%.1f s after the fault ended", m.recoverySeconds()),
                    highlights(m.details()), m.accepted(), m.states(), m.details().isEmpty() ? "" : " " + m.details().encode()));
            if (lost > 0 || twice > 0 || m.recoverySeconds() == null || m.details().containsKey(NOT_INJECTED)) {
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
        return fault(context, entry, name, description, injection, COMMON);
    }

    /** As above, recovery waiting for the fault's own {@code settling} too. */
    private static Measured fault(BenchContext context, Member entry, String name, String description, Injection injection,
                                  Settling settling) throws Exception {
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
        // The last thing recovery waited for, and when: what held it up (or what never came).
        String lastWaiting = null;
        try (TaskRuns runs = new TaskRuns(context.fleet().database())) {
            while (System.nanoTime() < deadline) {
                context.fleet().checkAlive("the fleet to recover from the " + name + " fault", survivors);
                terminal = terminal(runs, tasks);
                List<OnlineSampler.Point> points = context.sampler().points();
                long online = points.isEmpty() ? -1 : points.get(points.size() - 1).online();
                context.progress().runs(terminal, accepted);
                double seconds = (System.nanoTime() - ended) / 1e9;
                settling.observe(seconds, details);
                Optional<String> waiting;
                if (terminal < accepted) {
                    waiting = Optional.of(String.format(Locale.ROOT, "%,d of %,d runs terminal", terminal, accepted));
                } else if (online < n) {
                    waiting = Optional.of(online < 0 ? "no count of agents online yet"
                            : String.format(Locale.ROOT, "%,d of %,d agents online", online, n));
                } else if (!oneCluster(context, entry, survivors.size())) {
                    waiting = Optional.of(entry.name() + " does not list every live member");
                } else {
                    waiting = settling.waitingFor(seconds, details);
                }
                if (waiting.isEmpty()) {
                    recovered = (System.nanoTime() - ended) / 1e9;
                    break;
                }
                lastWaiting = String.format(Locale.ROOT, "%.1f s: %s", seconds, waiting.get());
                Thread.sleep(100);
            }
            if (lastWaiting != null) {
                details.put("lastWaitingFor", lastWaiting);
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

    /**
     * Cuts {@code victim} off from the other live members for {@link #MEMBER_SPLIT}, watching the
     * members' {@code /api/v1/cluster} views for the split, then heals. The nft table is deleted
     * on every way out (the partition's close, and its shutdown hook should the bench be stopped).
     */
    private static JsonObject split(BenchContext context, Member victim) throws Exception {
        List<Member> live = context.fleet().liveMembers();
        List<Member> peers = live.stream().filter(m -> !m.equals(victim)).toList();
        JsonObject details = new JsonObject().put("splitMember", victim.name());
        try (MemberPartition partition = new MemberPartition(SPLIT_EXPIRY)) {
            List<MemberPartition.Connection> cut = partition.split(victim.process().pid(), victim.hazelcastPort(),
                    peers.stream().map(Member::hazelcastPort).toList());
            long dropped = System.nanoTime();
            details.put("nftTable", partition.table()).put("victimConnectionsCut", cut.size());
            Map<String, Integer> views = Map.of();
            Double seen = null;
            while (System.nanoTime() - dropped < MEMBER_SPLIT.toNanos()) {
                Map<String, Integer> now = clusterViews(context, live);
                views = now;
                // The victim alone, and the others a cluster of the rest: what each side sees of the split.
                if (seen == null && now.get(victim.name()) == 1 && peers.stream().allMatch(p -> now.get(p.name()) == peers.size())) {
                    seen = (System.nanoTime() - dropped) / 1e9;
                    details.put("splitSeenSeconds", Math.round(seen * 10) / 10.0)
                            .put("viewsWhenSplit", new JsonObject(new LinkedHashMap<>(now)));
                }
                Thread.sleep(250);
            }
            partition.heal();
            if (seen == null) {
                details.put(NOT_INJECTED, "the members never showed the split within " + MEMBER_SPLIT.toSeconds()
                        + " s; cluster sizes they showed last: " + views);
            }
        }
        return details;
    }

    /** Each member's cluster size as its own {@code /api/v1/cluster} shows it (-1: no answer), by name. */
    private static Map<String, Integer> clusterViews(BenchContext context, List<Member> members) {
        Map<String, Integer> views = new LinkedHashMap<>();
        for (Member member : members) {
            views.put(member.name(), context.api().cluster(member.httpPort())
                    .map(c -> c.getJsonArray("members") == null ? 0 : c.getJsonArray("members").size())
                    .orElse(-1));
        }
        return views;
    }

    /**
     * After healing: notes when every live member first listed every live member
     * ({@code oneClusterSecondsAfterHeal}); settled once they all do and every agent is on exactly
     * one member with every sessions map agreeing. When the common signs (runs terminal, agents
     * connected, the first member's view) were first there is kept in
     * {@code commonSignsSecondsAfterHeal}, and how long its own last check took (every member
     * lists every host) in {@code lastCheckSeconds}.
     */
    private static final class PartitionSettling implements Settling {

        private final BenchContext context;
        private final long hosts;

        PartitionSettling(BenchContext context, long hosts) {
            this.context = context;
            this.hosts = hosts;
        }

        @Override
        public void observe(double seconds, JsonObject details) {
            if (!details.containsKey("oneClusterSecondsAfterHeal") && oneClusterEverywhere()) {
                details.put("oneClusterSecondsAfterHeal", Math.round(seconds * 10) / 10.0);
            }
        }

        @Override
        public Optional<String> waitingFor(double seconds, JsonObject details) throws InterruptedException {
            if (!details.containsKey("commonSignsSecondsAfterHeal")) {
                details.put("commonSignsSecondsAfterHeal", Math.round(seconds * 10) / 10.0);
            }
            long started = System.nanoTime();
            Optional<String> waiting = oneClusterEverywhere()
                    ? SessionsAgreement.disagreement(context.api(), context.fleet().liveMembers(), hosts)
                    : Optional.of("not every member lists every live member");
            // The recovery is taken when this check has passed: how long it took bounds how late that is.
            details.put("lastCheckSeconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
            return waiting;
        }

        private boolean oneClusterEverywhere() {
            List<Member> live = context.fleet().liveMembers();
            return clusterViews(context, live).values().stream().allMatch(size -> size == live.size());
        }
    }

    /**
     * Slow and bad clients against {@code target} for {@link #BAD_CLIENTS} (or until the last bad
     * stream has its answer), the API's latency measured meanwhile.
     */
    private static JsonObject badClients(BenchContext context, Member target) throws Exception {
        ApiLatency latency = new ApiLatency(target.httpPort(), context.fleet().settings().adminTokenFile(), API_PACE);
        Slowloris slowloris = new Slowloris(target.httpPort(), SLOWLORIS_CONNECTIONS, SLOWLORIS_TRICKLE);
        MalformedGrpc streams = new MalformedGrpc("127.0.0.1", target.grpcPort(),
                AgentGatewayGrpc.getConnectMethod().getFullMethodName(), BAD_STREAM_ANSWER);
        Thread latencyThread = daemon(latency, "bench-api-latency");
        Thread slowThread = daemon(slowloris, "bench-slowloris");
        long started = System.nanoTime();
        JsonObject grpc;
        try {
            grpc = streams.attack(BAD_STREAMS, BAD_CLIENTS, BAD_STREAMS_AT_ONCE);
            long left = (BAD_CLIENTS.toNanos() - (System.nanoTime() - started)) / 1_000_000;
            if (left > 0) {
                Thread.sleep(left);
            }
        } finally {
            slowloris.stop();
            latency.stop();
            slowThread.join();
            latencyThread.join();
        }
        return new JsonObject()
                .put("attackedMember", target.name())
                .put("attackSeconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0)
                .put("apiLatency", latency.figures())
                .put("slowloris", slowloris.figures())
                .put("badGrpcStreams", grpc);
    }

    /** The API's latency on {@code member} over {@code window}, nothing else going on but the fleet's heartbeats. */
    private static JsonObject apiLatency(BenchContext context, Member member, Duration window) throws Exception {
        ApiLatency latency = new ApiLatency(member.httpPort(), context.fleet().settings().adminTokenFile(), API_PACE);
        Thread thread = daemon(latency, "bench-api-latency");
        try {
            Thread.sleep(window.toMillis());
        } finally {
            latency.stop();
            thread.join();
        }
        return latency.figures();
    }

    private static Thread daemon(Runnable work, String name) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** The figures of a fault's details worth reading in the summary line before its JSON (split, API latency). */
    private static String highlights(JsonObject details) {
        StringBuilder line = new StringBuilder();
        if (details.containsKey("splitSeenSeconds")) {
            line.append(String.format(Locale.ROOT, "; split seen %.1f s after the drop", details.getDouble("splitSeenSeconds")));
        }
        if (details.containsKey("oneClusterSecondsAfterHeal")) {
            line.append(String.format(Locale.ROOT, ", one cluster %.1f s after healing", details.getDouble("oneClusterSecondsAfterHeal")));
        }
        if (details.containsKey("commonSignsSecondsAfterHeal")) {
            line.append(String.format(Locale.ROOT, ", every run terminal and every agent connected first %.1f s after it",
                    details.getDouble("commonSignsSecondsAfterHeal")));
        }
        JsonObject during = details.getJsonObject("apiLatency");
        if (during != null && during.containsKey("p50Millis")) {
            JsonObject before = details.getJsonObject("apiLatencyBefore");
            line.append(String.format(Locale.ROOT, "; API %s during the attack: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d requests,"
                            + " %d errors", during.getString("request"), during.getDouble("p50Millis"), during.getDouble("p99Millis"),
                    during.getDouble("maxMillis"), during.getLong("requests"), during.getLong("errors")));
            if (before != null && before.containsKey("p50Millis")) {
                line.append(String.format(Locale.ROOT, " (before it: p50 %.1f ms, p99 %.1f ms)", before.getDouble("p50Millis"),
                        before.getDouble("p99Millis")));
            }
        }
        return line.toString();
    }
}
