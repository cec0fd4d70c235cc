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
import java.util.TreeMap;
import java.util.UUID;

/**
 * rollout: one rollout of an exec task over all N hosts, paced by {@link RolloutPacing}
 * ({@code --window}, default 10 %, or {@code --waves}) with {@code maxFailures} 5. With
 * {@code --fail-selector} (e.g. {@code hostname~*37}, 1 in 100) its hosts fail every run: the
 * rollout halts once the budget is exceeded (runs in flight finish and count, so at most 5 + one
 * wave or one window of failures); the bench raises the budget to 5 % and resumes it, and it
 * finishes. Reports how many failed hosts the halt let through against that bound, the time from
 * the POST to the last run's result (without the time the rollout sat halted waiting for the
 * bench), the runs' critical path ({@link RolloutPacing#criticalPathSeconds}) and the scheduling
 * overhead (the difference, also per step: one step is one task the owner recorded and created),
 * and the members' CPU per run. Without --fail-selector the rollout never halts and only the
 * timing is measured.
 */
public final class RolloutScenario implements Scenario {

    static final int BUDGET = 5;
    static final String RAISED_BUDGET = "5%";
    private static final Set<String> SETTLED = Set.of("halted", "succeeded", "failed", "aborted");
    /** Every started host of the rollout in plan order: wave, run seconds (agent clock), result time, state. */
    private static final String RUNS = "SELECT rh.wave, extract(epoch FROM (r.finished_at - r.started_at)), "
            + "extract(epoch FROM r.recorded_at), r.state "
            + "FROM rollout_hosts rh JOIN runs r ON r.task_id = rh.task_id AND r.host_id = rh.host_id "
            + "WHERE rh.rollout_id = ? ORDER BY rh.position";
    private static final String STEPS = "SELECT count(*) FROM rollout_steps WHERE rollout_id = ? AND kind = 'run'";

    private final RolloutPacing pacing;

    public RolloutScenario(RolloutPacing pacing) {
        this.pacing = pacing;
    }

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
            JsonObject strategy = pacing.toJson().put("maxFailures", BUDGET);
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

            List<Double> durations = new ArrayList<>();
            List<Integer> waveOf = new ArrayList<>();
            Map<Integer, JsonObject> byWave = new TreeMap<>();
            double lastRecorded = 0;
            long untimed = 0;
            try (PreparedStatement statement = db.prepareStatement(RUNS)) {
                statement.setObject(1, UUID.fromString(id));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        int wave = rows.getInt(1);
                        double seconds = rows.getDouble(2);
                        untimed += rows.wasNull() ? 1 : 0;
                        lastRecorded = Math.max(lastRecorded, rows.getDouble(3));
                        durations.add(seconds);
                        waveOf.add(wave);
                        JsonObject w = byWave.computeIfAbsent(wave, k -> new JsonObject().put("wave", k).put("runs", 0L)
                                .put("longestRunSeconds", 0.0).put("failed", 0L));
                        w.put("runs", w.getLong("runs") + 1).put("longestRunSeconds", Math.max(w.getDouble("longestRunSeconds"), seconds));
                        if (!"succeeded".equals(rows.getString(4))) {
                            w.put("failed", w.getLong("failed") + 1);
                        }
                    }
                }
            }
            long steps;
            try (PreparedStatement statement = db.prepareStatement(STEPS)) {
                statement.setObject(1, UUID.fromString(id));
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    steps = rows.getLong(1);
                }
            }
            double criticalPath = pacing.criticalPathSeconds(durations, waveOf, Math.toIntExact(started.total()));
            double runSeconds = durations.stream().mapToDouble(Double::doubleValue).sum();
            double sentSeconds = sent.getEpochSecond() + sent.getNano() / 1e9;
            double fromPost = lastRecorded - sentSeconds;
            double rolloutSeconds = fromPost - waitedOnBench.toNanos() / 1e9;
            double overhead = rolloutSeconds - criticalPath;
            JsonObject budgetAtHalt = atHalt.getJsonObject("failureBudget", new JsonObject());
            int planned = Math.toIntExact(started.total());
            int inFlightBound = pacing.window() != null ? pacing.window().atLeastOneOf(planned) : largestWave(atHalt);
            JsonObject figures = new JsonObject()
                    .put("agents", n)
                    .put("rolloutId", id)
                    .put("planned", started.total())
                    .put("strategy", strategy)
                    .put("firstSettledState", first.state())
                    .put("reasonAtHalt", atHalt.getString("reason"))
                    .put("failedAtHalt", budgetAtHalt.getInteger("used"))
                    .put("overshootBound", BUDGET + inFlightBound)
                    .put("finalState", last.state())
                    .put("finalCounts", new JsonObject(Map.copyOf(last.counts())))
                    .put("waves", new JsonArray(new ArrayList<>(byWave.values())))
                    .put("steps", steps)
                    .put("timeToLastResultFromPostSeconds", fromPost)
                    .put("haltedWaitingForTheBenchSeconds", waitedOnBench.toNanos() / 1e9)
                    .put("rolloutSeconds", rolloutSeconds)
                    .put("sumOfRunSeconds", runSeconds)
                    .put("criticalPathSeconds", criticalPath)
                    .put("schedulingOverheadSeconds", overhead)
                    .put("schedulingOverheadPerStepSeconds", steps == 0 ? null : overhead / steps)
                    .put("runsWithoutAgentTimes", untimed);
            cost.addTo(figures);
            List<String> summary = new ArrayList<>();
            summary.add(String.format(Locale.ROOT, "%,d hosts, %s, maxFailures %d: %d steps (tasks); first settled %s (%s failed; "
                            + "bound %d = budget + %s)%s", started.total(), pacing, BUDGET, steps, first.state(),
                    budgetAtHalt.getValue("used"), BUDGET + inFlightBound, pacing.window() != null ? "window" : "largest wave",
                    "halted".equals(first.state()) ? "; resumed with maxFailures " + RAISED_BUDGET + ", ended " + last.state() : ""));
            summary.add(String.format(Locale.ROOT, "POST to the last run's result %.2f s (%.2f s of it halted, waiting for the "
                    + "bench's PATCH and resume); rollout %.2f s = runs' critical path %.2f s + scheduling overhead %.2f s "
                    + "(%.3f s per step; runs took %.1f s in all)", fromPost, waitedOnBench.toNanos() / 1e9, rolloutSeconds,
                    criticalPath, overhead, steps == 0 ? Double.NaN : overhead / steps, runSeconds));
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

    private static int largestWave(JsonObject rollout) {
        int largest = 0;
        for (Object wave : rollout.getJsonArray("waves", new JsonArray())) {
            largest = Math.max(largest, ((JsonObject) wave).getInteger("hosts", 0));
        }
        return largest;
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
