package io.muster.bench.jmh;

import io.muster.scheduler.selector.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Selector evaluation in memory: one parsed selector matched against a fleet of hosts with the
 * labels and facts a simulated fleet has (dc, role, cpu.cores, os.family, hostname). Reports the
 * time to evaluate the whole fleet once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SelectorBenchmark {

    private static final String[] DCS = {"ldn1", "nyc2", "sfo3", "fra1"};
    private static final String[] ROLES = {"web", "db", "cache", "batch", "api"};
    private static final String[] OS = {"debian", "ubuntu", "rocky"};

    @Param({"110000"})
    int hosts;

    @Param({"role=web,dc in (ldn1,nyc2),cpu.cores>=32,!maintenance", "hostname~web-*"})
    String selector;

    private Selector parsed;
    private List<Map<String, String>> labels;
    private List<Map<String, Object>> facts;

    @Setup
    public void fleet() {
        parsed = Selector.parse(selector);
        Random random = new Random(42);
        labels = new ArrayList<>(hosts);
        facts = new ArrayList<>(hosts);
        for (int i = 0; i < hosts; i++) {
            String role = ROLES[random.nextInt(ROLES.length)];
            String dc = DCS[random.nextInt(DCS.length)];
            labels.add(random.nextInt(50) == 0 ? Map.of("team", "infra", "maintenance", "true") : Map.of("team", "infra"));
            facts.add(Map.of(
                    "role", role,
                    "dc", dc,
                    "cpu.cores", (long) (4 << random.nextInt(6)),
                    "os.family", OS[random.nextInt(OS.length)],
                    "hostname", String.format("%s-%s-%05d", role, dc, i)));
        }
    }

    @Benchmark
    public int matchFleet() {
        int matched = 0;
        for (int i = 0; i < hosts; i++) {
            if (parsed.matches(labels.get(i), facts.get(i))) {
                matched++;
            }
        }
        return matched;
    }
}
