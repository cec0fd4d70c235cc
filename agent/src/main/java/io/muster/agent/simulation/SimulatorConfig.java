package io.muster.agent.simulation;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a fleet simulation.
 *
 * @param controllers      seed list of controller gRPC addresses ("host:port")
 * @param count            number of simulated agents
 * @param seed             makes host ids, inventories and jitter reproducible
 * @param agentsPerChannel agents sharing one gRPC channel (each keeps its own stream); default 500
 * @param heartbeat        heartbeat interval (default 10 s; a Welcome may override it)
 * @param connectRate      agents started per second, so that thousands do not stampede (default 1000)
 * @param taskDelay        how long a simulated run takes (default 50 ms)
 * @param hostIdPrefix     prepended to every host id, e.g. to tell simulator processes apart (default "")
 */
public record SimulatorConfig(
        List<String> controllers,
        int count,
        long seed,
        int agentsPerChannel,
        Duration heartbeat,
        double connectRate,
        Duration taskDelay,
        String hostIdPrefix) {

    public static final int DEFAULT_AGENTS_PER_CHANNEL = 500;
    public static final double DEFAULT_CONNECT_RATE = 1000;

    public SimulatorConfig {
        controllers = List.copyOf(controllers);
        if (controllers.isEmpty()) {
            throw new IllegalArgumentException("at least one controller address (host:port) is required");
        }
        if (count < 0) {
            throw new IllegalArgumentException("agent count must not be negative");
        }
        agentsPerChannel = agentsPerChannel <= 0 ? DEFAULT_AGENTS_PER_CHANNEL : agentsPerChannel;
        heartbeat = heartbeat == null ? Duration.ofSeconds(10) : heartbeat;
        connectRate = connectRate <= 0 ? DEFAULT_CONNECT_RATE : connectRate;
        taskDelay = taskDelay == null ? Duration.ofMillis(50) : taskDelay;
        hostIdPrefix = Objects.requireNonNullElse(hostIdPrefix, "");
    }

    /** {@code count} agents against {@code controllers} with every other setting at its default. */
    public static SimulatorConfig of(List<String> controllers, int count, long seed) {
        return new SimulatorConfig(controllers, count, seed, 0, null, 0, null, null);
    }
}
