package io.muster.controller.chaos;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A controller member in a JVM of its own, for fault tests that signal it (SIGSTOP, SIGKILL).
 * Arguments: database URL, cluster name, Hazelcast address to join, data directory, failure
 * detection (ms), agent heartbeat (ms). Prints {@code READY <grpcPort> <httpPort> <memberId> <hazelcastPort>} once
 * started; exits when its parent (the test JVM) does.
 */
public final class MemberProcessMain {

    private MemberProcessMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        ControllerConfig config = new ControllerConfig(args[0], 0, 0, Path.of(args[3]), List.of(args[2]), 0, "127.0.0.1",
                args[1], Duration.ofMillis(Long.parseLong(args[4])), Duration.ofMillis(Long.parseLong(args[5])));
        Controller controller = Controller.start(config);
        System.out.println("READY " + controller.grpcPort() + " " + controller.httpPort() + " " + controller.memberId()
                + " " + controller.hazelcastPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
