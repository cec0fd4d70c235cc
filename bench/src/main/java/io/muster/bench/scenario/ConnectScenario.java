package io.muster.bench.scenario;

import io.muster.bench.fleet.Member;
import io.muster.bench.probe.CpuMeter;
import io.muster.bench.probe.EventFlow;
import io.muster.bench.probe.OnlineSampler;
import io.muster.bench.report.ScenarioResult;
import io.muster.bench.report.SvgChart;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * connect: N agents connect from nothing. Measures the time until all are online (from the start
 * of the simulator processes, and from the first agent online, which leaves out their JVM
 * start), the members' CPU and their peak heap meanwhile, and the curve of hosts online.
 *
 * <p>Before the simulators start, each member's heap is read after a full GC: the idle baseline
 * that steady subtracts to get the heap per host.
 */
public final class ConnectScenario implements Scenario {

    private static final Duration HEAP_EVERY = Duration.ofSeconds(2);

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        BenchSettings settings = context.settings();
        List<Member> members = context.fleet().members();
        for (Member member : members) {
            context.idleHeapAfterGc().put(member.index(), context.heap().usedAfterGc(member));
        }
        context.progress().phase("connect");
        int n = settings.agents();
        Duration deadline = Duration.ofSeconds(120 + 3L * n / Math.max(1, settings.connectRate()));
        EventFlow events = EventFlow.start(context.fleet().database(), context.api(), members);
        CpuMeter cpu = context.memberCpu();
        cpu.start();
        context.sampler().restart(n);
        long started = System.nanoTime();
        context.fleet().startSimulators(n, settings.simulators());
        CpuMeter simulatorCpu = context.simulatorCpu();
        simulatorCpu.start();
        double peakHeap = 0;
        long end = started + deadline.toNanos();
        long nextHeap = 0;
        boolean all = false;
        while (System.nanoTime() < end) {
            context.fleet().checkAlive("the agents to connect", members);
            if (context.sampler().latest() >= n) {
                all = true;
                break;
            }
            if (System.nanoTime() >= nextHeap) {
                double sum = 0;
                for (Member member : members) {
                    sum += context.heap().used(member);
                }
                peakHeap = Math.max(peakHeap, sum);
                nextHeap = System.nanoTime() + HEAP_EVERY.toNanos();
            }
            Thread.sleep(100);
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        CpuMeter.Usage usage = cpu.stop();
        CpuMeter.Usage simulators = simulatorCpu.stop();
        List<OnlineSampler.Point> points = context.sampler().points();
        double firstOnline = points.stream().filter(p -> p.online() > 0).mapToDouble(OnlineSampler.Point::seconds)
                .findFirst().orElse(Double.NaN);
        long reached = context.sampler().latest();
        JsonObject figures = new JsonObject()
                .put("agents", n)
                .put("allOnline", all)
                .put("online", reached)
                .put("timeToAllOnlineSeconds", all ? elapsed : null)
                .put("firstAgentOnlineSeconds", firstOnline)
                .put("timeFromFirstToAllOnlineSeconds", all ? elapsed - firstOnline : null)
                .put("connectRateSetting", settings.connectRate())
                .put("memberCpuCores", usage.cores())
                .put("memberCpuMachineShare", usage.machineShare())
                .put("memberCpuCoresByMember", new JsonObject(Map.copyOf(usage.coresByProcess())))
                .put("simulatorCpuCores", simulators.cores())
                .put("memberPeakHeapBytes", peakHeap)
                .put("memberIdleHeapAfterGcBytes", context.idleHeapAfterGc().values().stream().mapToDouble(Double::doubleValue).sum());
        UnitCost cost = new UnitCost("connect", reached, usage, simulators);
        cost.addTo(figures);
        JsonObject eventFigures = events.stop(elapsed);
        figures.mergeIn(eventFigures);
        List<String> summary = new ArrayList<>();
        summary.add(all
                ? String.format(Locale.ROOT, "%,d agents online %.1f s after the simulators started (%.1f s from the first one; ramp %,d agents/s)",
                        n, elapsed, elapsed - firstOnline, settings.connectRate())
                : String.format(Locale.ROOT, "only %,d of %,d agents online after %.0f s", reached, n, elapsed));
        summary.add(String.format(Locale.ROOT, "members' CPU meanwhile: %.2f cores (%.0f %% of the machine); simulators %.2f cores; members' peak heap %s",
                usage.cores(), 100 * usage.machineShare(), simulators.cores(), Figures.bytes(peakHeap)));
        summary.add(cost.line());
        summary.add(EventFlow.line(eventFigures));
        List<double[]> series = new ArrayList<>();
        points.forEach(p -> series.add(new double[] {p.seconds(), p.online()}));
        SvgChart chart = SvgChart.lines("Hosts online during connect (N = " + String.format(Locale.ROOT, "%,d", n) + ")",
                "seconds since the simulators started", "hosts online", List.of(new SvgChart.Series("online", series)));
        context.progress().note("connect: " + summary.get(0));
        if (!all) {
            figures.put("error", summary.get(0) + "; see " + context.fleet().settings().logs());
        }
        return new ScenarioResult("connect", figures, summary, Map.of("connect-online.svg", chart));
    }
}
