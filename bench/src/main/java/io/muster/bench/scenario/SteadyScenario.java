package io.muster.bench.scenario;

import io.muster.bench.fleet.Member;
import io.muster.bench.probe.ClusterReading;
import io.muster.bench.probe.CpuMeter;
import io.muster.bench.probe.HistogramWindow;
import io.muster.bench.probe.PrometheusText;
import io.muster.bench.report.ScenarioResult;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * steady: the connected fleet heartbeats for the set duration. Measures the members' CPU (cores,
 * share of the machine, cores per 1,000 agents), heartbeats received per second against the
 * expected N / interval, heartbeat handling time (p50/p99 of the window from the members'
 * histogram buckets, and the members' recent maximum), and then heap per connected host after a full GC
 * (total, and above the idle baseline read before connect).
 */
public final class SteadyScenario implements Scenario {

    static final String HEARTBEATS = "muster_heartbeats_received_total";
    static final String HANDLING = "muster_heartbeat_handling_seconds";
    static final String VITALS_ROWS = "muster_vitals_rows_total";
    static final String VITALS_WRITE = "muster_vitals_write_seconds";

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        BenchSettings settings = context.settings();
        List<Member> members = context.fleet().liveMembers();
        context.progress().phase("steady");
        int n = settings.agents();
        List<PrometheusText> before = scrape(context, members);
        CpuMeter cpu = context.memberCpu();
        CpuMeter simulatorCpu = context.simulatorCpu();
        cpu.start();
        simulatorCpu.start();
        long end = System.nanoTime() + settings.steadyDuration().toNanos();
        long onlineMin = Long.MAX_VALUE;
        while (System.nanoTime() < end) {
            context.fleet().checkAlive("the steady phase to end", members);
            onlineMin = Math.min(onlineMin, Math.max(0, context.sampler().latest()));
            Thread.sleep(Math.min(500, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
        CpuMeter.Usage usage = cpu.stop();
        CpuMeter.Usage simulators = simulatorCpu.stop();
        List<PrometheusText> after = scrape(context, members);
        double heartbeats = sum(after, HEARTBEATS) - sum(before, HEARTBEATS);
        double perSecond = heartbeats / usage.wallSeconds();
        double expectedPerSecond = n / (settings.heartbeat().toMillis() / 1000.0);
        HistogramWindow window = HistogramWindow.read(HANDLING, after).since(HistogramWindow.read(HANDLING, before));
        OptionalDouble p50 = window.quantileUpperBound(0.50);
        OptionalDouble p99 = window.quantileUpperBound(0.99);
        double max = 0;
        for (PrometheusText text : after) {
            max = Math.max(max, text.first(HANDLING + "_max", Map.of()).orElse(0));
        }

        context.progress().phase("steady: heap after GC");
        double heapAfter = 0;
        double heapAboveIdle = 0;
        long connected = 0;
        JsonObject byMember = new JsonObject();
        for (Member member : members) {
            double used = context.heap().usedAfterGc(member);
            long hosts = ClusterReading.localConnected(context.api(), member).orElse(0L);
            double idle = context.idleHeapAfterGc().getOrDefault(member.index(), 0.0);
            heapAfter += used;
            heapAboveIdle += used - idle;
            connected += hosts;
            byMember.put(member.name(), new JsonObject().put("heapAfterGcBytes", used).put("idleHeapAfterGcBytes", idle)
                    .put("connectedHosts", hosts));
        }
        double perHost = connected == 0 ? Double.NaN : heapAfter / connected;
        double perHostAboveIdle = connected == 0 ? Double.NaN : heapAboveIdle / connected;
        double coresPerThousand = usage.cores() / (n / 1000.0);
        JsonObject figures = new JsonObject()
                .put("agents", n)
                .put("durationSeconds", usage.wallSeconds())
                .put("heartbeatIntervalSeconds", settings.heartbeat().toMillis() / 1000.0)
                .put("onlineMin", onlineMin == Long.MAX_VALUE ? null : onlineMin)
                .put("memberCpuCores", usage.cores())
                .put("memberCpuMachineShare", usage.machineShare())
                .put("memberCpuCoresPer1000Agents", coresPerThousand)
                .put("memberCpuCoresByMember", new JsonObject(Map.copyOf(usage.coresByProcess())))
                .put("simulatorCpuCores", simulators.cores())
                .put("heartbeatsPerSecond", perSecond)
                .put("heartbeatsExpectedPerSecond", expectedPerSecond)
                .put("heartbeatHandlingP50Seconds", p50.isPresent() ? p50.getAsDouble() : null)
                .put("heartbeatHandlingP99Seconds", p99.isPresent() ? p99.getAsDouble() : null)
                .put("heartbeatHandlingMaxSeconds", max)
                .put("heapAfterGcBytes", heapAfter)
                .put("heapAboveIdleAfterGcBytes", heapAboveIdle)
                .put("connectedHosts", connected)
                .put("heapPerHostBytes", perHost)
                .put("heapPerHostAboveIdleBytes", perHostAboveIdle)
                .put("byMember", byMember);
        UnitCost cost = new UnitCost("heartbeat", heartbeats, usage, simulators);
        cost.addTo(figures);
        // Vitals: the series rows written (one per host and closed bucket) and the time their batched upserts took.
        double vitalsRows = sum(after, VITALS_ROWS) - sum(before, VITALS_ROWS);
        double vitalsWriteSeconds = sum(after, VITALS_WRITE + "_sum") - sum(before, VITALS_WRITE + "_sum");
        double vitalsStatements = sum(after, VITALS_WRITE + "_count") - sum(before, VITALS_WRITE + "_count");
        figures.put("vitalsRows", vitalsRows)
                .put("vitalsRowsPerSecond", vitalsRows / usage.wallSeconds())
                .put("vitalsWriteStatements", vitalsStatements)
                .put("vitalsWriteSeconds", vitalsWriteSeconds)
                .put("vitalsWriteMicrosPerRow", vitalsRows == 0 ? null : vitalsWriteSeconds * 1e6 / vitalsRows)
                .put("memberCpuCoreSecondsPerVitalsRow", vitalsRows == 0 ? null : usage.cores() * usage.wallSeconds() / vitalsRows);
        List<String> summary = new ArrayList<>();
        summary.add(cost.line());
        summary.add(String.format(Locale.ROOT,
                "members' CPU %.3f cores = %s of the machine (%.4f cores per 1,000 agents); simulators %.2f cores",
                usage.cores(), Figures.percent(usage.machineShare()), coresPerThousand, simulators.cores()));
        summary.add(String.format(Locale.ROOT, "heartbeats %,.0f/s (expected %,.0f/s); handling p50 <= %s, p99 <= %s (histogram bucket bounds of the window), max %s",
                perSecond, expectedPerSecond, micros(p50), micros(p99), micros(OptionalDouble.of(max))));
        summary.add(String.format(Locale.ROOT, "heap after GC: %s for %,d hosts = %s per host (%s per host above the idle members)",
                Figures.bytes(heapAfter), connected, Figures.bytes(perHost), Figures.bytes(perHostAboveIdle)));
        summary.add(String.format(Locale.ROOT,
                "vitals series (1-minute buckets): %,.0f rows (%,.1f rows/s) in %,.0f statements taking %.2f s (%.1f µs per row)",
                vitalsRows, vitalsRows / usage.wallSeconds(), vitalsStatements, vitalsWriteSeconds,
                vitalsRows == 0 ? Double.NaN : vitalsWriteSeconds * 1e6 / vitalsRows));
        summary.forEach(line -> context.progress().note("steady: " + line));
        return new ScenarioResult("steady", figures, summary);
    }

    private static String micros(OptionalDouble seconds) {
        return seconds.isPresent() ? String.format(Locale.ROOT, "%.0f µs", seconds.getAsDouble() * 1e6) : "n/a";
    }

    private static List<PrometheusText> scrape(BenchContext context, List<Member> members) throws Exception {
        List<PrometheusText> texts = new ArrayList<>();
        for (Member member : members) {
            texts.add(context.api().metrics(member.httpPort()));
        }
        return texts;
    }

    private static double sum(List<PrometheusText> texts, String name) {
        return texts.stream().mapToDouble(t -> t.sum(name, Map.of())).sum();
    }
}
