package io.muster.cli.demo;

import io.muster.cli.CommandFailure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/** Checks before anything starts that the demo's fixed ports are free, to fail with a clear line. */
final class Ports {

    private Ports() {
    }

    /**
     * @throws CommandFailure naming the first port that is taken
     */
    static void requireFree(List<Integer> ports) {
        for (int port : ports) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(port));
            } catch (IOException e) {
                throw new CommandFailure("port " + port + " is already in use (is another muster demo or controller running?); "
                        + "the demo needs HTTP 8080+, gRPC 7070+ and Hazelcast 5701+, one of each per member");
            }
        }
    }
}
