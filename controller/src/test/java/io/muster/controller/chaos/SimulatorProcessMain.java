package io.muster.controller.chaos;

import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Simulated agents in a JVM of their own, so that a test can cut a whole group off with one
 * signal: {@code SimulatorProcessMain <controller host:port> <count> <seed> <host id prefix>
 * <heartbeat ms> <task delay ms>}. Prints {@code HOST <id>} per agent, then {@code READY}. On the
 * line {@code twice} read from stdin it prints {@code TWICE <n>}: runs executed more than once.
 * Exits when its parent (the test JVM) does.
 */
public final class SimulatorProcessMain {

    private SimulatorProcessMain() {
    }

    public static void main(String[] args) throws IOException {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        FleetSimulator simulator = FleetSimulator.start(new SimulatorConfig(List.of(args[0]), Integer.parseInt(args[1]),
                Long.parseLong(args[2]), 0, Duration.ofMillis(Long.parseLong(args[4])), 0,
                Duration.ofMillis(Long.parseLong(args[5])), args[3]));
        simulator.hostIds().forEach(id -> System.out.println("HOST " + id));
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.trim().equals("twice")) {
                System.out.println("TWICE " + simulator.runsExecutedMoreThanOnce().size());
                System.out.flush();
            }
        }
        simulator.close();
    }
}
