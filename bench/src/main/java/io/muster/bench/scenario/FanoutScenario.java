package io.muster.bench.scenario;

import io.muster.bench.fleet.Member;
import io.muster.bench.probe.EventFlow;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.CpuMeter;
import io.muster.bench.probe.FlightRecording;
import io.muster.bench.report.ScenarioResult;
import io.muster.bench.report.SvgChart;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * fanout: one exec task to all N hosts through {@code POST /api/v1/tasks}, sent once every host's
 * row is written (an online host the selector cannot see yet would not get a run). The latency of
 * a host runs from the moment the 201 arrived at the bench to its run's terminal state being
 * committed in PostgreSQL ({@code runs.recorded_at}; the bench and the database share the
 * machine's clock); the last result is also reported from the moment the POST was sent. Reports
 * p50/p90/p99/max (HdrHistogram), the time to the last result, the time the POST itself took (the
 * task and its N runs written in one transaction), the members' and simulators' CPU per completed
 * run, and a CDF plot. Completion is judged against the task's own total.
 */
public final class FanoutScenario implements Scenario {

    /** The members' JFR top frames during the fan-out, next to results.json. */
    static final String PROFILE = "fanout-profile.md";

    /** Matches every simulated host: they all carry a role fact. */
    static final String ALL_SIMULATED = "role";

    /** The task body: an exec task to every simulated host. */
    static JsonObject request() {
        return new JsonObject()
                .put("target", new JsonObject().put("selector", ALL_SIMULATED))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("command", new JsonArray().add("true")))
                .put("timeoutSeconds", 300);
    }

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        int n = context.settings().agents();
        List<Member> members = context.fleet().liveMembers();
        Member entry = members.get(0);
        context.progress().phase("fanout: waiting until every host is targetable");
        Duration deadline = Duration.ofSeconds(60 + n / 1000);
        TaskRuns.Counts counts;
        try (TaskRuns runs = new TaskRuns(context.fleet().database())) {
            long waitStarted = System.nanoTime();
            long targetable = runs.targetableHosts();
            while (targetable < n && System.nanoTime() - waitStarted < deadline.toNanos()) {
                context.fleet().checkAlive("every host to be targetable", members);
                Thread.sleep(100);
                targetable = runs.targetableHosts();
            }
            double targetableWait = (System.nanoTime() - waitStarted) / 1e9;
            context.progress().phase("fanout");
            CpuMeter memberCpu = context.memberCpu();
            CpuMeter simulatorCpu = context.simulatorCpu();
            FlightRecording profile = FlightRecording.start(context.fleet().settings().logs().resolve("profile"), members);
            EventFlow events = EventFlow.start(context.fleet().database(), context.api(), members);
            memberCpu.start();
            simulatorCpu.start();
            Instant sent = Instant.now();
            MemberApi.CreatedTask task = context.api().createTask(entry.httpPort(), request());
            Duration post = Duration.between(sent, task.acceptedAt());
            long end = System.nanoTime() + deadline.toNanos();
            while (true) {
                counts = runs.counts(task.id());
                context.progress().runs(counts.terminal(), counts.total());
                if (counts.total() > 0 && counts.terminal() >= counts.total()) {
                    break;
                }
                if (System.nanoTime() > end) {
                    break;
                }
                context.fleet().checkAlive("the fan-out to finish", members);
                Thread.sleep(250);
            }
            CpuMeter.Usage memberUsage = memberCpu.stop();
            UnitCost cost = new UnitCost("run", counts.terminal(), memberUsage, simulatorCpu.stop());
            JsonObject eventFigures = events.stop(memberUsage.wallSeconds());
            Files.createDirectories(context.settings().outputDir());
            Files.writeString(context.settings().outputDir().resolve(PROFILE), profile.stopAndSummarise(),
                    StandardCharsets.UTF_8);
            Map<String, Long> states = runs.states(task.id());
            long[] recorded = runs.recordedMicros(task.id());
            long acceptedMicros = ChronoUnit.MICROS.between(Instant.EPOCH, task.acceptedAt());
            Histogram histogram = new Histogram(3_600_000_000L, 3);
            double[] seconds = new double[recorded.length];
            long beforeAccepted = 0;
            for (int i = 0; i < recorded.length; i++) {
                long latency = recorded[i] - acceptedMicros;
                if (latency < 0) {
                    // Recorded before the 201 reached the bench: dispatch starts at commit, the answer follows.
                    beforeAccepted++;
                    latency = 0;
                }
                histogram.recordValue(latency);
                seconds[i] = latency / 1e6;
            }
            Arrays.sort(seconds);
            boolean complete = counts.total() > 0 && counts.terminal() == counts.total();
            double lastFromPost = seconds.length == 0 ? Double.NaN
                    : seconds[seconds.length - 1] + post.toNanos() / 1e9;
            JsonObject figures = new JsonObject()
                    .put("agents", n)
                    .put("targetableHostsAtPost", targetable)
                    .put("targetableWaitSeconds", targetableWait)
                    .put("taskId", task.id())
                    .put("runs", counts.total())
                    .put("terminal", counts.terminal())
                    .put("complete", complete)
                    .put("states", new JsonObject(Map.copyOf(states)))
                    .put("postSeconds", post.toNanos() / 1e9)
                    .put("latencyP50Seconds", histogram.getValueAtPercentile(50) / 1e6)
                    .put("latencyP90Seconds", histogram.getValueAtPercentile(90) / 1e6)
                    .put("latencyP99Seconds", histogram.getValueAtPercentile(99) / 1e6)
                    .put("latencyMaxSeconds", histogram.getMaxValue() / 1e6)
                    .put("timeToLastResultSeconds", seconds.length == 0 ? null : seconds[seconds.length - 1])
                    .put("resultsPerSecond", seconds.length == 0 || seconds[seconds.length - 1] <= 0 ? null
                            : seconds.length / seconds[seconds.length - 1])
                    .put("timeToLastResultFromPostSeconds", seconds.length == 0 ? null : lastFromPost)
                    .put("recordedBeforeAccepted", beforeAccepted);
            cost.addTo(figures);
            figures.mergeIn(eventFigures);
            List<String> summary = new ArrayList<>();
            summary.add(String.format(Locale.ROOT,
                    "%,d runs (POST took %.2f s): 201 -> durable p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s; last result %.3f s after the 201",
                    counts.total(), post.toNanos() / 1e9, histogram.getValueAtPercentile(50) / 1e6,
                    histogram.getValueAtPercentile(90) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
                    histogram.getMaxValue() / 1e6, seconds.length == 0 ? Double.NaN : seconds[seconds.length - 1]));
            summary.add(String.format(Locale.ROOT, "last result %.3f s after the POST was sent; %,d of %,d hosts targetable at the POST (waited %.1f s)",
                    lastFromPost, targetable, n, targetableWait));
            summary.add(cost.line());
            summary.add(EventFlow.line(eventFigures));
            summary.add("members' profile during the fan-out: " + PROFILE);
            summary.add("states: " + states);
            if (!complete) {
                figures.put("error", String.format(Locale.ROOT, "only %,d of %,d runs terminal after %d s",
                        counts.terminal(), counts.total(), deadline.toSeconds()));
                summary.add(figures.getString("error"));
            }
            summary.forEach(line -> context.progress().note("fanout: " + line));
            SvgChart cdf = SvgChart.cdf("Fan-out: 201 to result durable in PostgreSQL (N = "
                    + String.format(Locale.ROOT, "%,d", n) + ")", "seconds after the 201", seconds);
            return new ScenarioResult("fanout", figures, summary, Map.of("fanout-latency-cdf.svg", cdf));
        }
    }
}
