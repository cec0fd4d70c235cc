package io.muster.bench.scenario;

import io.muster.bench.fleet.Member;
import io.muster.bench.probe.ControllerApi;
import io.muster.bench.report.ScenarioResult;
import io.muster.bench.report.SvgChart;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
 * fanout: one exec task to all N hosts through {@code POST /api/v1/tasks}. The latency of a host
 * runs from the moment the 201 arrived at the bench to its run's terminal state being committed
 * in PostgreSQL ({@code runs.recorded_at}; the bench and the database share the machine's clock).
 * Reports p50/p90/p99/max (HdrHistogram), the time to the last result, the time the POST itself
 * took (the task and its N runs written in one transaction), and a CDF plot.
 */
public final class FanoutScenario implements Scenario {

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
        context.progress().phase("fanout");
        Instant sent = Instant.now();
        ControllerApi.CreatedTask task = context.api().createTask(entry.httpPort(), request());
        Duration post = Duration.between(sent, task.acceptedAt());
        Duration deadline = Duration.ofSeconds(60 + n / 1000);
        long end = System.nanoTime() + deadline.toNanos();
        TaskRuns.Counts counts;
        try (TaskRuns runs = new TaskRuns(context.fleet().database())) {
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
            boolean complete = counts.total() == n && counts.terminal() == counts.total();
            JsonObject figures = new JsonObject()
                    .put("agents", n)
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
                    .put("recordedBeforeAccepted", beforeAccepted);
            List<String> summary = new ArrayList<>();
            summary.add(String.format(Locale.ROOT,
                    "%,d runs (POST took %.2f s): 201 -> durable p50 %.3f s, p90 %.3f s, p99 %.3f s, max %.3f s; last result %.3f s after the 201",
                    counts.total(), post.toNanos() / 1e9, histogram.getValueAtPercentile(50) / 1e6,
                    histogram.getValueAtPercentile(90) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
                    histogram.getMaxValue() / 1e6, seconds.length == 0 ? Double.NaN : seconds[seconds.length - 1]));
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
