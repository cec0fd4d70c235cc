package io.muster.controller.task;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the real agent as its own process, for tests that kill it: {@code AgentProcessMain
 * <controller host:port> <data dir> <heartbeat ms>}. Prints "agent <host id>" once started.
 */
public final class AgentProcessMain {

    private AgentProcessMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        AgentConfig config = new AgentConfig(List.of(args[0]), Path.of(args[1]),
                Duration.ofMillis(Long.parseLong(args[2])), Duration.ofSeconds(1), null, null, null);
        Agent agent = new Agent(config).start();
        System.out.println("agent " + agent.hostId());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
