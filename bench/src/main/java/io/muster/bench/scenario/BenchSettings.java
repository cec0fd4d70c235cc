package io.muster.bench.scenario;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code muster bench} was asked to do.
 *
 * @param agents           simulated agents (N)
 * @param members          controller members (M)
 * @param heartbeat        heartbeat interval
 * @param scenarios        which scenarios (run in {@link ScenarioName} order)
 * @param quick            the short run: shorter phases; N defaults to 5,000
 * @param dbUrl            external PostgreSQL server, empty = embedded
 * @param steadyDuration   how long the steady scenario measures
 * @param agentsPerChannel simulated agents per gRPC connection
 * @param simulators       simulator processes
 * @param connectRate      agents per second over all simulators while connecting
 * @param outputDir        bench/results/&lt;timestamp&gt;
 * @param peerHosts        K values of the peer comparison
 * @param soakDuration     how long the soak scenario runs
 * @param rolloutPacing    the rollout scenario's window or waves
 */
public record BenchSettings(
        int agents,
        int members,
        Duration heartbeat,
        Set<ScenarioName> scenarios,
        boolean quick,
        Optional<String> dbUrl,
        Duration steadyDuration,
        int agentsPerChannel,
        int simulators,
        int connectRate,
        Path outputDir,
        List<Integer> peerHosts,
        Duration soakDuration,
        RolloutPacing rolloutPacing) {

    /** Agents per simulator process when --simulators is not given. */
    public static final int AGENTS_PER_SIMULATOR = 40_000;

    public BenchSettings {
        if (agents < 1) {
            throw new IllegalArgumentException("--agents must be at least 1, got " + agents);
        }
        if (members < 1) {
            throw new IllegalArgumentException("--members must be at least 1, got " + members);
        }
        if (simulators < 1) {
            throw new IllegalArgumentException("--simulators must be at least 1, got " + simulators);
        }
        if (scenarios.contains(ScenarioName.FAILOVER) && members < 2) {
            throw new IllegalArgumentException("the failover scenario needs at least 2 members, got " + members);
        }
        if (scenarios.stream().anyMatch(ScenarioName::alone) && scenarios.stream().filter(s -> s != ScenarioName.CONNECT).count() > 1) {
            throw new IllegalArgumentException("chaos and soak each run alone on a fleet of their own: ask for one of them only");
        }
        if (scenarios.contains(ScenarioName.CHAOS) && (members < 2 || simulators < 2)) {
            throw new IllegalArgumentException("the chaos scenario needs at least 2 members and 2 simulators (one is the failure domain"
                    + " it cuts off), got " + members + " and " + simulators);
        }
        scenarios = scenarios.isEmpty() ? EnumSet.noneOf(ScenarioName.class) : EnumSet.copyOf(scenarios);
        peerHosts = List.copyOf(peerHosts);
        Objects.requireNonNull(rolloutPacing, "rolloutPacing");
    }

    /** The default number of simulators for N agents: one per 40,000 agents. */
    public static int defaultSimulators(int agents) {
        return Math.max(1, (agents + AGENTS_PER_SIMULATOR - 1) / AGENTS_PER_SIMULATOR);
    }

    public boolean needsFleet() {
        return scenarios.stream().anyMatch(ScenarioName::needsFleet);
    }
}
