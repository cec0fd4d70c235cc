package io.muster.bench.scenario;

import io.muster.cli.simulate.ExecutionReport;
import io.muster.bench.fleet.Member;
import io.muster.bench.probe.ClusterReading;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.OnlineSampler;
import io.muster.bench.probe.TakeoverLog;
import io.muster.bench.report.ScenarioResult;
import io.muster.bench.report.SvgChart;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * failover: with a fan-out to all N hosts just accepted (runs being delivered, executed and
 * recorded), one member is killed with SIGKILL. Measures the time until every host is connected
 * again (re-homed on the members that stay), the time until every run of the task is terminal,
 * and, from the simulators' execution reports written when they stop, that no run was executed
 * twice. Runs last: the fleet is one member short and the simulators are stopped afterwards.
 *
 * <p>The re-homing time is split with what the surviving members log (epoch millis, same machine
 * clock as the kill): detection = first survivor to see the member leave - kill; migration = last
 * survivor to see every partition owned by a live member again - that; reconnects = all hosts
 * connected again - that.
 */
public final class FailoverScenario implements Scenario {

    private static final Duration BEFORE_KILL = Duration.ofSeconds(2);
    private static final Duration REHOME_DEADLINE = Duration.ofSeconds(180);

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        int n = context.settings().agents();
        List<Member> members = context.fleet().liveMembers();
        if (members.size() < 2) {
            throw new IllegalStateException("failover needs two live members, there are " + members.size());
        }
        Member entry = members.get(0);
        Member victim = members.get(members.size() - 1);
        List<Member> survivors = members.subList(0, members.size() - 1);
        context.progress().phase("failover");
        String victimId = ClusterReading.self(context.api(), victim).map(m -> m.getString("id")).orElse("?");
        long victimHosts = ClusterReading.localConnected(context.api(), victim).orElse(0L);
        context.sampler().restart(n);
        Thread.sleep(BEFORE_KILL.toMillis());

        MemberApi.CreatedTask task = context.api().createTask(entry.httpPort(), FanoutScenario.request());
        long killedAtMillis = System.currentTimeMillis();
        long killedAt = System.nanoTime();
        double killSecond = context.sampler().secondsNow();
        context.fleet().kill(victim);
        context.progress().note(String.format(Locale.ROOT, "failover: killed %s (%s, %,d hosts) with SIGKILL right after a fan-out to %,d hosts was accepted",
                victim.name(), victimId, victimHosts, task.total()));

        // Wait for the drop to be seen, then for every host to be back.
        long end = killedAt + REHOME_DEADLINE.toNanos();
        Double rehomed = null;
        while (System.nanoTime() < end) {
            context.fleet().checkAlive("the hosts to be re-homed", survivors);
            List<OnlineSampler.Point> points = context.sampler().points();
            OnlineSampler.Point last = points.isEmpty() ? null : points.get(points.size() - 1);
            if (last != null && last.seconds() > killSecond && last.online() >= n) {
                rehomed = (System.nanoTime() - killedAt) / 1e9;
                break;
            }
            Thread.sleep(50);
        }
        JsonObject split = split(survivors, victimId, killedAtMillis, rehomed);
        context.progress().phase("failover: runs to finish");
        Double allTerminal = null;
        TaskRuns.Counts counts;
        Map<String, Long> states;
        try (TaskRuns runs = new TaskRuns(context.fleet().database())) {
            long runsEnd = System.nanoTime() + Duration.ofSeconds(300).toNanos();
            while (true) {
                counts = runs.counts(task.id());
                context.progress().runs(counts.terminal(), counts.total());
                if (counts.total() > 0 && counts.terminal() >= counts.total()) {
                    allTerminal = (System.nanoTime() - killedAt) / 1e9;
                    break;
                }
                if (System.nanoTime() > runsEnd) {
                    break;
                }
                Thread.sleep(250);
            }
            states = runs.states(task.id());
        }
        List<OnlineSampler.Point> points = context.sampler().points();
        context.progress().phase("failover: simulators report");
        List<ExecutionReport> reports = context.fleet().stopSimulators();
        long executions = reports.stream().mapToLong(ExecutionReport::executions).sum();
        long distinct = reports.stream().mapToLong(ExecutionReport::distinctRuns).sum();
        List<String> duplicates = new ArrayList<>();
        reports.forEach(r -> duplicates.addAll(r.duplicateRuns()));

        JsonObject figures = new JsonObject()
                .put("agents", n)
                .put("killedMember", victim.name())
                .put("killedMemberId", victimId)
                .put("killedMemberHosts", victimHosts)
                .put("rehomedSeconds", rehomed)
                .put("rehomedSplit", split)
                .put("allRunsTerminalSeconds", allTerminal)
                .put("runs", counts.total())
                .put("terminal", counts.terminal())
                .put("states", new JsonObject(Map.copyOf(states)))
                .put("executions", executions)
                .put("distinctRunsExecuted", distinct)
                .put("runsExecutedTwice", duplicates.size())
                .put("runsExecutedTwiceSample", new JsonArray(duplicates.subList(0, Math.min(20, duplicates.size()))));
        List<String> summary = new ArrayList<>();
        summary.add(rehomed == null
                ? String.format(Locale.ROOT, "the %,d hosts of %s were not all back within %d s", victimHosts, victim.name(), REHOME_DEADLINE.toSeconds())
                : String.format(Locale.ROOT, "kill -9 of %s (%,d hosts): all %,d hosts connected again after %.1f s", victim.name(),
                        victimHosts, n, rehomed));
        if (rehomed != null && split.getDouble("detectionSeconds") != null && split.getDouble("migrationSeconds") != null) {
            summary.add(String.format(Locale.ROOT, "re-homing split: failure detection %.2f s, partition migration %.2f s, reconnects %.2f s",
                    split.getDouble("detectionSeconds"), split.getDouble("migrationSeconds"), split.getDouble("reconnectSeconds")));
        } else {
            summary.add("re-homing split not available: the survivors did not log the departure and take-over of " + victimId);
        }
        summary.add(allTerminal == null
                ? String.format(Locale.ROOT, "only %,d of %,d runs terminal after 300 s: %s", counts.terminal(), counts.total(), states)
                : String.format(Locale.ROOT, "all %,d runs of the task accepted just before the kill terminal after %.1f s: %s",
                        counts.total(), allTerminal, states));
        summary.add(String.format(Locale.ROOT, "executions %,d for %,d distinct runs; executed twice: %d", executions, distinct,
                duplicates.size()));
        if (rehomed == null || allTerminal == null || !duplicates.isEmpty()) {
            figures.put("error", String.join("; ", summary));
        }
        summary.forEach(line -> context.progress().note("failover: " + line));
        List<double[]> series = new ArrayList<>();
        points.forEach(p -> series.add(new double[] {p.seconds(), p.online()}));
        SvgChart chart = SvgChart.lines("Hosts online around kill -9 of one member (N = " + String.format(Locale.ROOT, "%,d", n) + ")",
                "seconds (dashed line: the kill)", "hosts online", List.of(new SvgChart.Series("online", series)))
                .withMark(killSecond);
        return new ScenarioResult("failover", figures, summary, Map.of("failover-online.svg", chart));
    }

    private static JsonObject split(List<Member> survivors, String victimId, long killedAtMillis, Double rehomed)
            throws IOException {
        JsonArray perMember = new JsonArray();
        long firstLeft = Long.MAX_VALUE;
        long lastReowned = Long.MIN_VALUE;
        boolean complete = true;
        for (Member member : survivors) {
            TakeoverLog log = TakeoverLog.read(member.process().log(), victimId);
            JsonObject entry = new JsonObject().put("member", member.name());
            if (log.seenLeftAt().isPresent()) {
                firstLeft = Math.min(firstLeft, log.seenLeftAt().getAsLong());
                entry.put("sawLeaveSeconds", (log.seenLeftAt().getAsLong() - killedAtMillis) / 1e3);
            } else {
                complete = false;
            }
            if (log.reownedAt().isPresent()) {
                lastReowned = Math.max(lastReowned, log.reownedAt().getAsLong());
                entry.put("partitionsReownedSeconds", (log.reownedAt().getAsLong() - killedAtMillis) / 1e3);
            } else {
                complete = false;
            }
            perMember.add(entry);
        }
        JsonObject split = new JsonObject().put("perSurvivor", perMember);
        if (!complete) {
            return split;
        }
        split.put("detectionSeconds", (firstLeft - killedAtMillis) / 1e3)
                .put("migrationSeconds", (lastReowned - firstLeft) / 1e3);
        if (rehomed != null) {
            split.put("reconnectSeconds", rehomed - (lastReowned - killedAtMillis) / 1e3);
        }
        return split;
    }
}
