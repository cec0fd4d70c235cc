package io.muster.bench.fleet;

import io.muster.launch.ChildProcess;

/**
 * One controller member process of the bench fleet.
 *
 * @param index    0-based position in the fleet
 * @param process  the JVM (its pid is what CPU, heap and {@code kill -9} act on)
 * @param httpPort REST API and /metrics
 * @param grpcPort agent gateway
 * @param hazelcastPort cluster membership
 * @param enrollPort enrollment (TLS without a client certificate; not bound with --insecure)
 */
public record Member(int index, ChildProcess process, int httpPort, int grpcPort, int hazelcastPort, int enrollPort) {

    public String name() {
        return process.name();
    }

    public String grpcAddress() {
        return "127.0.0.1:" + grpcPort;
    }
}
