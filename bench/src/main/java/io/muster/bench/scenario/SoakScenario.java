package io.muster.bench.scenario;

import io.muster.agent.simulation.GeneratedInventory;
import io.muster.bench.fleet.Member;
import io.muster.bench.probe.CpuMeter;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.OpenFiles;
import io.muster.bench.probe.ProcessMemory;
import io.muster.bench.report.ScenarioResult;
import io.muster.bench.report.SvgChart;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * soak (issue 15, fault 9): the connected fleet under a steady trickle of work for
 * {@code --duration}: a task every 10 s, each to the hosts of one role (the roles in turn, about a
 * fifth of the fleet each, so every host gets a run every 50 s). Every minute each member's heap
 * after a full GC ({@code jcmd GC.run}), open file descriptors and threads are read. A leak fails
 * the scenario: over the second half of the run (the first half is warm-up: caches and pools
 * filling), the least-squares slope of a resource, per hour, above {@link Leak#limitPerHour} of
 * its mean. Every task's runs must also end terminal (lost 0) and none run twice.
 */
public final class SoakScenario implements Scenario {

    static final Duration TASK_EVERY = Duration.ofSeconds(10);
    static final Duration SAMPLE_EVERY = Duration.ofMinutes(1);
    static final Duration DRAIN_DEADLINE = Duration.ofMinutes(5);

    /**
     * A leak threshold: growth per hour above {@code share} of the mean, and at least {@code floor}.
     *
     * @param resource what grows
     * @param share    of its second-half mean, per hour
     * @param floor    absolute minimum per hour (small counts move by whole units)
     */
    record Leak(String resource, double share, double floor) {

        double limitPerHour(double mean) {
            return Math.max(floor, share * mean);
        }

        /** Whether growth of {@code perHour} on a mean of {@code mean} is a leak (NaN, too few samples, is none). */
        boolean leaking(double perHour, double mean) {
            return perHour > limitPerHour(mean);
        }
    }

    static final Leak HEAP = new Leak("heapAfterGcBytes", 0.10, 32.0 * 1024 * 1024);
    static final Leak FILES = new Leak("fileDescriptors", 0.10, 50);
    static final Leak THREADS = new Leak("threads", 0.10, 20);

    /** One reading of one member. */
    private record Sample(double minutes, double heapAfterGcBytes, long fileDescriptors, long threads, long rssKb) {

        double value(Leak leak) {
            return switch (leak.resource()) {
                case "heapAfterGcBytes" -> heapAfterGcBytes;
                case "fileDescriptors" -> fileDescriptors;
                default -> threads;
            };
        }
    }

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        int n = context.settings().agents();
        Duration duration = context.settings().soakDuration();
        List<Member> members = context.fleet().liveMembers();
        Member entry = members.get(0);
        List<String> roles = GeneratedInventory.roles();
        Map<Member, List<Sample>> samples = new LinkedHashMap<>();
        members.forEach(m -> samples.put(m, new ArrayList<>()));
        List<MemberApi.CreatedTask> tasks = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        // 503s answered with Retry-After and then accepted: the member shedding load as designed, not a failure
        List<String> retried = new ArrayList<>();

        context.progress().phase("soak for " + duration.toMinutes() + " min");
        CpuMeter memberCpu = context.memberCpu();
        CpuMeter simulatorCpu = context.simulatorCpu();
        memberCpu.start();
        simulatorCpu.start();
        long started = System.nanoTime();
        long end = started + duration.toNanos();
        long nextTask = started;
        long nextSample = started;
        while (true) {
            long now = System.nanoTime();
            if (now >= nextSample) {
                context.progress().phase(String.format(Locale.ROOT, "soak: minute %.0f of %d, %d tasks", (now - started) / 60e9,
                        duration.toMinutes(), tasks.size()));
                sample(context, samples, (now - started) / 60e9);
                nextSample += SAMPLE_EVERY.toNanos();
            }
            if (now >= end) {
                break;
            }
            if (now >= nextTask) {
                try {
                    tasks.add(context.api().createTask(entry.httpPort(), request(roles.get(tasks.size() % roles.size())), TASK_EVERY, retried));
                } catch (java.io.IOException e) {
                    refused.add(e.getMessage());
                }
                nextTask += TASK_EVERY.toNanos();
            }
            context.fleet().checkAlive("the soak", members);
            Thread.sleep(Math.max(1, Math.min(nextTask, nextSample) - System.nanoTime()) / 1_000_000 + 1);
        }

        context.progress().phase("soak: runs to finish");
        long accepted = tasks.stream().mapToLong(MemberApi.CreatedTask::total).sum();
        long terminal = 0;
        Executions executions;
        Map<String, Long> states = new LinkedHashMap<>();
        try (TaskRuns runs = new TaskRuns(context.fleet().database())) {
            long deadline = System.nanoTime() + DRAIN_DEADLINE.toNanos();
            do {
                terminal = 0;
                for (MemberApi.CreatedTask task : tasks) {
                    terminal += runs.counts(task.id()).terminal();
                }
                context.progress().runs(terminal, accepted);
                if (terminal >= accepted) {
                    break;
                }
                Thread.sleep(1000);
            } while (System.nanoTime() < deadline);
            CpuMeter.Usage memberUsage = memberCpu.stop();
            UnitCost cost = new UnitCost("run", terminal, memberUsage, simulatorCpu.stop());
            for (MemberApi.CreatedTask task : tasks) {
                runs.states(task.id()).forEach((state, count) -> states.merge(state, count, Long::sum));
            }
            context.progress().phase("soak: simulators report");
            executions = Executions.of(context.fleet().stopSimulators(), runs);
            return result(context, n, duration, samples, tasks, refused, retried, accepted, terminal, states, executions, cost);
        }
    }

    private static ScenarioResult result(BenchContext context, int n, Duration duration, Map<Member, List<Sample>> samples,
                                         List<MemberApi.CreatedTask> tasks, List<String> refused, List<String> retried, long accepted, long terminal,
                                         Map<String, Long> states, Executions executions, UnitCost cost) {
        JsonArray perMember = new JsonArray();
        List<String> summary = new ArrayList<>();
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<Member, List<Sample>> entry : samples.entrySet()) {
            List<Sample> series = entry.getValue();
            List<Sample> secondHalf = series.stream().filter(s -> s.minutes() >= duration.toSeconds() / 120.0).toList();
            JsonObject member = new JsonObject().put("member", entry.getKey().name());
            JsonArray readings = new JsonArray();
            series.forEach(s -> readings.add(new JsonObject().put("minute", s.minutes()).put("heapAfterGcBytes", s.heapAfterGcBytes())
                    .put("fileDescriptors", s.fileDescriptors()).put("threads", s.threads()).put("rssKb", s.rssKb())));
            member.put("samples", readings);
            List<String> line = new ArrayList<>();
            for (Leak leak : List.of(HEAP, FILES, THREADS)) {
                double mean = secondHalf.stream().mapToDouble(s -> s.value(leak)).average().orElse(Double.NaN);
                double perHour = slopePerHour(secondHalf.stream().mapToDouble(Sample::minutes).toArray(),
                        secondHalf.stream().mapToDouble(x -> x.value(leak)).toArray());
                double limit = leak.limitPerHour(mean);
                boolean leaking = leak.leaking(perHour, mean);
                member.put(leak.resource() + "SlopePerHour", Double.isFinite(perHour) ? perHour : null)
                        .put(leak.resource() + "LimitPerHour", Double.isFinite(limit) ? limit : null)
                        .put(leak.resource() + "Leak", leaking);
                boolean bytes = leak == HEAP;
                line.add(String.format(Locale.ROOT, "%s %s (%s%s/h, limit %s/h)", leak == HEAP ? "heap after GC" : leak == FILES ? "fds" : "threads",
                        bytes ? Figures.bytes(mean) : String.format(Locale.ROOT, "%.0f", mean), perHour >= 0 ? "+" : "-",
                        bytes ? Figures.bytes(Math.abs(perHour)) : String.format(Locale.ROOT, "%.1f", Math.abs(perHour)),
                        bytes ? Figures.bytes(limit) : String.format(Locale.ROOT, "%.0f", limit)));
                if (leaking) {
                    leaks.add(entry.getKey().name() + " " + leak.resource());
                }
            }
            perMember.add(member);
            summary.add(entry.getKey().name() + " over the second half: " + String.join(", ", line));
        }
        long lost = accepted - terminal;
        summary.add(0, String.format(Locale.ROOT, "%,d agents for %d min: %d tasks (one every %d s, one role each), %,d runs: lost %d, twice %d; %s",
                n, duration.toMinutes(), tasks.size(), TASK_EVERY.toSeconds(), accepted, lost, executions.twice(), states));
        summary.add(cost.line());
        if (!retried.isEmpty()) {
            summary.add(retried.size() + " submissions answered 503 and retried after the member's Retry-After, first: " + retried.get(0));
        }
        if (!refused.isEmpty()) {
            summary.add(refused.size() + " task submissions refused, first: " + refused.get(0));
        }
        JsonObject figures = new JsonObject()
                .put("agents", n)
                .put("durationSeconds", duration.toSeconds())
                .put("tasks", tasks.size())
                .put("tasksRefused", refused.size())
                .put("submissionsRetried", retried.size())
                .put("acceptedRuns", accepted)
                .put("terminalRuns", terminal)
                .put("lost", lost)
                .put("twice", executions.twice())
                .put("states", new JsonObject(new LinkedHashMap<>(states)))
                .put("executions", executions.executions())
                .put("leakRule", "slope over the second half, per hour, above max(10 % of the mean, floor) per hour;"
                        + " floors: heap 32 MiB, fds 50, threads 20")
                .put("members", perMember);
        cost.addTo(figures);
        List<String> failures = new ArrayList<>(leaks.stream().map(l -> "leak: " + l).toList());
        if (lost > 0 || executions.twice() > 0) {
            failures.add("lost " + lost + ", twice " + executions.twice());
        }
        if (!refused.isEmpty()) {
            failures.add(refused.size() + " task submissions refused");
        }
        if (!failures.isEmpty()) {
            figures.put("error", String.join("; ", failures));
            summary.add(figures.getString("error"));
        }
        summary.forEach(l -> context.progress().note("soak: " + l));
        return new ScenarioResult("soak", figures, summary, Map.of(
                "soak-heap.svg", chart(samples, "Members' heap after a full GC during the soak", "MiB", s -> s.heapAfterGcBytes() / (1024 * 1024)),
                "soak-fds.svg", chart(samples, "Members' open file descriptors during the soak", "file descriptors", s -> s.fileDescriptors()),
                "soak-threads.svg", chart(samples, "Members' threads during the soak", "threads", s -> s.threads())));
    }

    /** A task to the hosts of one role. */
    static JsonObject request(String role) {
        return FanoutScenario.request().put("target", new JsonObject().put("selector", "role=" + role));
    }

    private static void sample(BenchContext context, Map<Member, List<Sample>> samples, double minutes) throws Exception {
        for (Map.Entry<Member, List<Sample>> entry : samples.entrySet()) {
            Member member = entry.getKey();
            long pid = member.process().pid();
            double heap = context.heap().usedAfterGc(member);
            ProcessMemory memory = ProcessMemory.read(pid).orElseThrow(() -> new IllegalStateException(member.name() + " is gone"));
            entry.getValue().add(new Sample(minutes, heap, OpenFiles.count(pid).orElse(-1), memory.threads(), memory.rssKb()));
        }
    }

    /** Least-squares slope of {@code values} against {@code minutes}, per hour; NaN with fewer than two distinct times. */
    static double slopePerHour(double[] minutes, double[] values) {
        int count = minutes.length;
        if (count < 2) {
            return Double.NaN;
        }
        double meanX = java.util.Arrays.stream(minutes).average().orElseThrow();
        double meanY = java.util.Arrays.stream(values).average().orElseThrow();
        double covariance = 0;
        double variance = 0;
        for (int i = 0; i < count; i++) {
            covariance += (minutes[i] - meanX) * (values[i] - meanY);
            variance += (minutes[i] - meanX) * (minutes[i] - meanX);
        }
        return variance == 0 ? Double.NaN : 60 * covariance / variance;
    }

    private static SvgChart chart(Map<Member, List<Sample>> samples, String title, String yLabel,
                                  java.util.function.ToDoubleFunction<Sample> value) {
        List<SvgChart.Series> series = new ArrayList<>();
        samples.forEach((member, list) -> {
            List<double[]> points = new ArrayList<>();
            list.forEach(s -> points.add(new double[] {s.minutes(), value.applyAsDouble(s)}));
            series.add(new SvgChart.Series(member.name(), points));
        });
        return SvgChart.lines(title, "minutes", yLabel, series);
    }
}
