package io.muster.scheduler.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded property test of the planner: random fleets, strategies and failing hosts, runs that
 * finish in a random order. The seed is printed with every failure; rerun one case with
 * {@code -Dmuster.rollout.seed=<seed>}.
 */
class PlannerPropertyTest {

    private static final int CASES = 400;

    @Test
    void randomRollouts_keepEveryInvariant() {
        String fixed = System.getProperty("muster.rollout.seed");
        long base = fixed == null ? 20261202L : Long.parseLong(fixed);
        int cases = fixed == null ? CASES : 1;
        for (int i = 0; i < cases; i++) {
            long seed = base + i;
            check(seed);
        }
    }

    private static void check(long seed) {
        Random random = new Random(seed);
        int hostCount = 1 + random.nextInt(random.nextBoolean() ? 30 : 300);
        String[] dcs = {"ldn1", "nyc2", "sfo3", "fra1"};
        int dcCount = 1 + random.nextInt(dcs.length);
        List<Candidate> candidates = new ArrayList<>();
        for (int h = 0; h < hostCount; h++) {
            candidates.add(new Candidate("host-" + h, dcs[random.nextInt(dcCount)]));
        }
        Strategy strategy = strategy(random);
        Set<String> failing = new HashSet<>();
        double failRate = random.nextInt(4) == 0 ? 0 : random.nextDouble() * 0.3;
        for (Candidate c : candidates) {
            if (random.nextDouble() < failRate) {
                failing.add(c.hostId());
            }
        }
        RolloutSimulation sim = new RolloutSimulation(strategy, candidates, failing, random.nextBoolean());
        sim.run(random, 20 * hostCount + 100);
        String context = "seed " + seed + ", " + hostCount + " hosts, " + strategy + ", failing " + failing.size();

        assertThat(sim.violation).as(context).isNull();
        for (int p = 0; p < sim.starts.length; p++) {
            assertThat(sim.starts[p]).as(context + ": host at " + p + " started at most once").isLessThanOrEqualTo(1);
        }
        int allowed = strategy.maxFailures().floorOf(hostCount);
        int batch = strategy.waves() == null
                ? strategy.window().atLeastOneOf(hostCount)
                : largestWave(hostCount, strategy);
        if (strategy.canary() != null) {
            batch = Math.max(batch, Math.min(hostCount, strategy.canary().hosts()));
        }
        assertThat(sim.failed()).as(context + ": budget overshoot at most one batch").isLessThanOrEqualTo(allowed + batch);
        if (strategy.waves() == null) {
            assertThat(sim.maxInFlight).as(context + ": window")
                    .isLessThanOrEqualTo(Math.max(batch, strategy.window().atLeastOneOf(hostCount)));
        }
        for (int w = 1; w < sim.startedWaves.size(); w++) {
            assertThat(sim.startedWaves.get(w)).as(context + ": waves in order").isGreaterThanOrEqualTo(sim.startedWaves.get(w - 1));
        }
        if (sim.state == RolloutState.SUCCEEDED) {
            assertThat(sim.failed()).as(context).isLessThanOrEqualTo(allowed);
            for (int start : sim.starts) {
                assertThat(start).as(context + ": succeeded means every host ran").isEqualTo(1);
            }
        } else {
            assertThat(sim.state).as(context + ": a rollout ends succeeded or halted").isEqualTo(RolloutState.HALTED);
            assertThat(sim.failed()).as(context).isGreaterThan(0);
        }
        if (strategy.spreadBy() != null && strategy.waves() != null) {
            assertSpread(sim, context);
        }
    }

    // In every wave, a datacenter that still has hosts later got at least as many as any other, minus one.
    private static void assertSpread(RolloutSimulation sim, String context) {
        Map<Integer, Map<String, Integer>> perWave = new HashMap<>();
        Map<Integer, Set<String>> laterDcs = new HashMap<>();
        int waves = sim.plan.stream().mapToInt(PlannedHost::wave).max().orElse(-1) + 1;
        for (PlannedHost host : sim.plan) {
            String dc = dcOf(sim, host.hostId());
            perWave.computeIfAbsent(host.wave(), w -> new HashMap<>()).merge(dc, 1, Integer::sum);
            for (int w = 0; w < host.wave(); w++) {
                laterDcs.computeIfAbsent(w, k -> new HashSet<>()).add(dc);
            }
        }
        for (int w = 0; w < waves; w++) {
            Map<String, Integer> counts = perWave.getOrDefault(w, Map.of());
            int most = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            for (String dc : laterDcs.getOrDefault(w, Set.of())) {
                assertThat(counts.getOrDefault(dc, 0)).as(context + ": wave " + w + " spread over " + dc)
                        .isGreaterThanOrEqualTo(most - 1);
            }
        }
    }

    private static String dcOf(RolloutSimulation sim, String hostId) {
        return sim.dcs.get(hostId);
    }

    private static int largestWave(int hosts, Strategy strategy) {
        return Plan.waveSizes(hosts, strategy).stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private static Strategy strategy(Random random) {
        List<Amount> waves = null;
        Amount window = null;
        if (random.nextBoolean()) {
            waves = new ArrayList<>();
            int entries = 1 + random.nextInt(4);
            for (int e = 0; e < entries; e++) {
                waves.add(amount(random));
            }
        } else {
            window = amount(random);
        }
        Amount budget = random.nextBoolean() ? Amount.count(random.nextInt(8)) : Amount.percentOf(random.nextInt(30));
        Canary canary = random.nextInt(3) == 0 ? new Canary(1 + random.nextInt(3),
                random.nextBoolean() ? Canary.Approval.MANUAL : Canary.Approval.AUTO, random.nextInt(10)) : null;
        int health = random.nextInt(3) == 0 ? random.nextInt(5) : -1;
        String spread = random.nextBoolean() ? "dc" : null;
        int pause = waves != null && random.nextInt(4) == 0 ? random.nextInt(5) : 0;
        Order order = random.nextBoolean() ? Order.BY_ID : Order.random(random.nextLong());
        return new Strategy(waves, window, budget, canary, health, spread, pause, order);
    }

    private static Amount amount(Random random) {
        return random.nextBoolean() ? Amount.count(1 + random.nextInt(20)) : Amount.percentOf(1 + random.nextInt(100));
    }
}
