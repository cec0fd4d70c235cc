package io.muster.bench.scenario;

import io.muster.bench.report.ResultsWriter.Target;
import io.muster.bench.report.ScenarioResult;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Muster's figures against the machine's ceilings and against the targets of issue 5. Pure.
 */
final class Verdicts {

    static final int TARGET_AGENTS = 110_000;
    static final double TARGET_CPU_SHARE = 0.50;
    static final double TARGET_FANOUT_P99 = 3.0;
    static final double TARGET_FANOUT_LAST = 5.0;
    static final double TARGET_FAILOVER = 10.0;
    static final double TARGET_HEAP_PER_HOST = 8 * 1024;

    private Verdicts() {
    }

    /**
     * heartbeats/s in steady over the gRPC message ceiling; fan-out results/s over the PostgreSQL
     * bulk-insert ceilings (unnest batches and COPY).
     */
    static JsonObject fractions(List<ScenarioResult> results) {
        JsonObject fractions = new JsonObject();
        Optional<Double> grpc = BenchRun.figure(results, "ceiling", "grpcMessagesPerSecond");
        Optional<Double> unnest = BenchRun.figure(results, "ceiling", "postgresUnnestRowsPerSecond");
        Optional<Double> copy = BenchRun.figure(results, "ceiling", "postgresCopyRowsPerSecond");
        Optional<Double> heartbeats = BenchRun.figure(results, "steady", "heartbeatsPerSecond");
        Optional<Double> resultsPerSecond = BenchRun.figure(results, "fanout", "resultsPerSecond");
        if (grpc.isPresent() && heartbeats.isPresent()) {
            fractions.put("steady heartbeats/s over loopback gRPC messages/s", heartbeats.get() / grpc.get());
        }
        if (unnest.isPresent() && resultsPerSecond.isPresent()) {
            fractions.put("fan-out results recorded/s over PostgreSQL unnest rows/s", resultsPerSecond.get() / unnest.get());
        }
        if (copy.isPresent() && resultsPerSecond.isPresent()) {
            fractions.put("fan-out results recorded/s over PostgreSQL COPY rows/s", resultsPerSecond.get() / copy.get());
        }
        return fractions;
    }

    static List<Target> targets(BenchSettings settings, List<ScenarioResult> results) {
        List<Target> targets = new ArrayList<>();
        Optional<Double> idleRss = BenchRun.figure(results, "footprint", "idleRssKb");
        Optional<Double> taskRss = BenchRun.figure(results, "footprint", "taskRssKb");
        if (idleRss.isPresent() && taskRss.isPresent()) {
            targets.add(new Target("whole agent (supervision included), RSS at idle / during a task", "<= 64 MiB",
                    String.format(Locale.ROOT, "%.1f MiB / %.1f MiB", idleRss.get() / 1024, taskRss.get() / 1024),
                    idleRss.get() <= FootprintScenario.TARGET_KB && taskRss.get() <= FootprintScenario.TARGET_KB));
        }
        if (!settings.needsFleet()) {
            return targets;
        }
        Optional<Double> online = BenchRun.figure(results, "connect", "online");
        targets.add(new Target("agents connected", String.format(Locale.ROOT, "%,d", TARGET_AGENTS),
                online.map(o -> String.format(Locale.ROOT, "%,.0f of %,d asked", o, settings.agents())).orElse("n/a"),
                online.map(o -> o >= TARGET_AGENTS).orElse(null)));
        Optional<Double> cpu = BenchRun.figure(results, "steady", "memberCpuMachineShare");
        targets.add(new Target("steady heartbeats, members' CPU", "< 50 % of the machine at 110,000 agents",
                cpu.map(c -> String.format(Locale.ROOT, "%.1f %% at %,d agents", 100 * c, settings.agents())).orElse("n/a"),
                cpu.map(c -> c < TARGET_CPU_SHARE && settings.agents() >= TARGET_AGENTS ? Boolean.TRUE
                        : c >= TARGET_CPU_SHARE ? Boolean.FALSE : null).orElse(null)));
        Optional<Double> p99 = BenchRun.figure(results, "fanout", "latencyP99Seconds");
        targets.add(new Target("fan-out p99 (201 to durable)", "<= 3 s",
                p99.map(v -> String.format(Locale.ROOT, "%.3f s", v)).orElse("n/a"), p99.map(v -> v <= TARGET_FANOUT_P99).orElse(null)));
        Optional<Double> last = BenchRun.figure(results, "fanout", "timeToLastResultSeconds");
        targets.add(new Target("fan-out last result", "<= 5 s",
                last.map(v -> String.format(Locale.ROOT, "%.3f s", v)).orElse("n/a"), last.map(v -> v <= TARGET_FANOUT_LAST).orElse(null)));
        Optional<Double> rehomed = BenchRun.figure(results, "failover", "rehomedSeconds");
        targets.add(new Target("failover re-homing", "<= 10 s",
                rehomed.map(v -> String.format(Locale.ROOT, "%.1f s", v)).orElse("n/a"), rehomed.map(v -> v <= TARGET_FAILOVER).orElse(null)));
        Optional<Double> heap = BenchRun.figure(results, "steady", "heapPerHostAboveIdleBytes");
        Optional<Double> heapTotal = BenchRun.figure(results, "steady", "heapPerHostBytes");
        targets.add(new Target("member heap per connected host (after GC, above the idle member)", "<= 8 KiB",
                heap.map(v -> String.format(Locale.ROOT, "%.1f KiB (%.1f KiB counting the idle heap)", v / 1024,
                        heapTotal.orElse(Double.NaN) / 1024)).orElse("n/a"),
                heap.map(v -> v <= TARGET_HEAP_PER_HOST).orElse(null)));
        return targets;
    }
}
