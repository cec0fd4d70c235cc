package io.muster.bench.scenario;

import io.muster.bench.fleet.Member;
import io.muster.bench.probe.CpuMeter;
import io.muster.bench.report.ScenarioResult;
import io.muster.client.Rollout;
import io.muster.client.Rollouts;
import io.muster.client.TaskRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * rollout: one rollout of an exec task over all N hosts in waves {@code [1, 10, "25%"]} with
 * {@code maxFailures} 5, on a fleet whose hosts matching {@code --fail-selector} fail every run
 * (e.g. {@code hostname~*37}, 1 in 100). It halts once the budget is exceeded (runs in flight
 * finish and count, so at most 5 + one wave of failures); the bench raises the budget to 5 % and
 * resumes it, and it finishes. Reports how many failed hosts the halt let through against that
 * bound, the time from the POST to the last wave's last result (without the time the rollout sat
 * halted waiting for the bench), the runs' critical path (the sum over waves of the longest run
 * of the wave, agent clock) and the scheduling overhead (the difference), and the members' CPU
 * per run. Without --fail-selector the rollout never halts and only the timing is measured.
 */
public final class RolloutScenario implements Scenario {

    static final int BUDGET = 5;
    static final String RAISED_BUDGET = "5%";
    private static final Set<String> SETTLED = Set.of("halted", "succeeded", "failed", "aborted");
    private static final String WAVES = "SELECT rh.wave, count(*), "
            + "coalesce(max(extract(epoch FROM (r.finished_at - r.started_at))), 0), "
            + "count(*) FILTER (WHERE r.started_at IS NULL OR r.finished_at IS NULL), "
            + "max(extract(epoch FROM r.recorded_at)), count(*) FILTER (WHERE r.state <> 'succeeded') "
            + "FROM rollout_hosts rh JOIN runs r ON r.task_id = rh.task_id AND r.host_id = rh.host_id "
            + "WHERE rh.rollout_id = ? GROUP BY rh.wave ORDER BY rh.wave";

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        int n = context.settings().agents();
        List<Member> members = context.fleet().liveMembers();
        Member entry = members.get(0);
        Duration deadline = Duration.ofSeconds(120 + n / 100);
        context.progress().phase("rollout: waiting until every host is targetable");
        try (TaskRuns runs = new TaskRuns(context.fleet().database());
             Connection db = context.fleet().database().connect()) {
            long waitStarted = System.nanoTime();
            while (runs.targetableHosts() < n && System.nanoTime() - waitStarted < deadline.toNanos()) {
                context.fleet().checkAlive("every host to be targetable", members);
                Thread.sleep(100);
            }
            context.progress().phase("rollout");
            Rollouts api = context.api().rollouts(entry.httpPort());
            CpuMeter memberCpu = context.memberCpu();
            CpuMeter simulatorCpu = context.simulatorCpu();
            memberCpu.start();
            simulatorCpu.start();
            JsonObject strategy = new JsonObject().put("waves", new JsonArray().add(1).add(10).add("25%")).put("maxFailures", BUDGET);
            Instant sent = Instant.now();
            Rollout started = api.start(TaskRequest.fromJson(FanoutScenario.request()).with("strategy", strategy));
            String id = started.id();
            Rollout first = settle(context, api, id, deadline, members);
            Instant haltSeen = Instant.now();
            Duration waitedOnBench = Duration.ZERO;
            JsonObject atHalt = first.json();
            Rollout last = first;
            if ("halted".equals(first.state())) {
                api.changeStrategy(id, new JsonObject().put("maxFailures", RAISED_BUDGET));
                api.resume(id);
                waitedOnBench = Duration.between(haltSeen, Instant.now());
                last = settle(context, api, id, deadline, members);
            }
            UnitCost cost = new UnitCost("run", last.total(), memberCpu.stop(), simulatorCpu.stop());

            double criticalPath = 0;
            double lastRecorded = 0;
            long untimed = 0;
            JsonArray waves = new JsonArray();
            try (PreparedStatement statement = db.prepareStatement(WAVES)) {
                statement.setObject(1, UUID.fromString(id));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        double longest = rows.getDouble(3);
                        criticalPath += longest;
                        untimed += rows.getLong(4);
                        lastRecorded = Math.max(lastRecorded, rows.getDouble(5));
                        waves.add(new JsonObject().put("wave", rows.getInt(1)).put("runs", rows.getLong(2))
                                .put("longestRunSeconds", longest).put("failed", rows.getLong(6)));
                    }
                }
            }
            double sentSeconds = sent.getEpochSecond() + sent.getNano() / 1e9;
            double fromPost = lastRecorded - sentSeconds;
            double rolloutSeconds = fromPost - waitedOnBench.toNanos() / 1e9;
            double overhead = rolloutSeconds - criticalPath;
            JsonObject budgetAtHalt = atHalt.getJsonObject("failureBudget", new JsonObject());
            int largestWave = 0;
            for (Object wave : atHalt.getJsonArray("waves", new JsonArray())) {
                largestWave = Math.max(largestWave, ((JsonObject) wave).getInteger("hosts", 0));
            }
            JsonObject figures = new JsonObject()
                    .put("agents", n)
                    .put("rolloutId", id)
                    .put("planned", started.total())
                    .put("strategy", strategy)
                    .put("firstSettledState", first.state())
                    .put("reasonAtHalt", atHalt.getString("reason"))
                    .put("failedAtHalt", budgetAtHalt.getInteger("used"))
                    .put("overshootBound", BUDGET + largestWave)
                    .put("finalState", last.state())
                    .put("finalCounts", new JsonObject(Map.copyOf(last.counts())))
                    .put("waves", waves)
                    .put("timeToLastResultFromPostSeconds", fromPost)
                    .put("haltedWaitingForTheBenchSeconds", waitedOnBench.toNanos() / 1e9)
                    .put("rolloutSeconds", rolloutSeconds)
                    .put("criticalPathSeconds", criticalPath)
                    .put("schedulingOverheadSeconds", overhead)
                    .put("schedulingOverheadPerWaveSeconds", waves.isEmpty() ? null : overhead / waves.size())
                    .put("runsWithoutAgentTimes", untimed);
            cost.addTo(figures);
            List<String> summary = new ArrayList<>();
            summary.add(String.format(Locale.ROOT, "%,d hosts in %d waves [1, 10, 25%%], maxFailures %d: first settled %s (%s failed; "
                            + "bound %d = budget + largest wave); resumed with maxFailures %s, ended %s",
                    started.total(), waves.size(), BUDGET, first.state(), budgetAtHalt.getValue("used"), BUDGET + largestWave,
                    RAISED_BUDGET, last.state()));
            summary.add(String.format(Locale.ROOT, "POST to the last wave's last result %.2f s (%.2f s of it halted, waiting for the "
                    + "bench's PATCH and resume); rollout %.2f s = runs' critical path %.2f s + scheduling overhead %.2f s "
                    + "(%.3f s per wave)", fromPost, waitedOnBench.toNanos() / 1e9, rolloutSeconds, criticalPath, overhead,
                    waves.isEmpty() ? Double.NaN : overhead / waves.size()));
            summary.add(cost.line());
            summary.add("final counts: " + last.counts());
            if (!"succeeded".equals(last.state())) {
                figures.put("error", "the rollout ended " + last.state() + ": " + last.reason());
                summary.add(figures.getString("error"));
            }
            summary.forEach(line -> context.progress().note("rollout: " + line));
            return new ScenarioResult("rollout", figures, summary, Map.of());
        }
    }

    // Until the rollout stops changing by itself and nothing of it is in flight.
    private static Rollout settle(BenchContext context, Rollouts api, String id, Duration deadline, List<Member> members)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            Rollout rollout = api.get(id);
            Map<String, Long> counts = rollout.counts();
            long inFlight = counts.getOrDefault("running", 0L) + counts.getOrDefault("awaiting_health", 0L)
                    + counts.getOrDefault("checking", 0L);
            context.progress().runs(counts.getOrDefault("succeeded", 0L) + counts.getOrDefault("failed", 0L), rollout.total());
            if (SETTLED.contains(rollout.state()) && inFlight == 0) {
                return rollout;
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("rollout " + id + " still " + rollout.state() + " after " + deadline.toSeconds() + " s");
            }
            context.fleet().checkAlive("the rollout to settle", members);
            Thread.sleep(250);
        }
    }
}
