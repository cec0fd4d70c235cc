package io.muster.controller.chaos;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The agent of a real host (exec, config, lifecycle executors) in a JVM of its own, for tests that
 * kill it with SIGKILL: {@code StandardAgentMain <controller host:port> <data dir> <heartbeat ms>}.
 * Prints "agent <host id>" once started; exits when its parent (the test JVM) does.
 */
public final class StandardAgentMain {

    private StandardAgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        AgentConfig config = new AgentConfig(List.of(args[0]), Path.of(args[1]),
                Duration.ofMillis(Long.parseLong(args[2])), Duration.ofSeconds(1), null, null, null);
        Agent agent = Agent.standard(config, null).start();
        System.out.println("agent " + agent.hostId());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
