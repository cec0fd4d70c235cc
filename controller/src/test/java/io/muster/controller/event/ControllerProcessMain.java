package io.muster.controller.event;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.task.RunSweeper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A controller member in a JVM of its own, for tests that kill it with SIGKILL. Arguments: database
 * URL, cluster name, a member's Hazelcast address to join, Kafka bootstrap servers ("-" for none),
 * topic, data directory. Prints {@code READY <grpcPort> <memberId>} once started, then runs until killed.
 */
public final class ControllerProcessMain {

    private ControllerProcessMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ControllerConfig config = new ControllerConfig(args[0], 0, 0, Path.of(args[5]), List.of(args[2]), 0, "127.0.0.1",
                args[1], Duration.ofSeconds(2), Duration.ofSeconds(1));
        Controller controller = Controller.start(config, RunSweeper.Settings.DEFAULTS,
                "-".equals(args[3]) ? EventSettings.defaults() : EventSettings.defaults().withKafka(args[3], args[4]));
        System.out.println("READY " + controller.grpcPort() + " " + controller.memberId());
        System.out.flush();
        Thread.currentThread().join();
    }
}
