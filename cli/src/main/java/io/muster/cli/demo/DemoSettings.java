package io.muster.cli.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one demo runs: where its data lives, how many members and simulated agents, for how
 * long. Member {@code i} listens on HTTP 8080+i, gRPC 7070+i and Hazelcast 5701+i.
 *
 * @param dataDir  data and logs (absolute)
 * @param members  controller members, at least 1
 * @param agents   simulated agents besides this host's real agent, 0 for none
 * @param failSelector simulated hosts matching it fail every run (rollout demos), or empty
 * @param runFor   how long to run once everything is up; empty = until Ctrl-C
 */
record DemoSettings(Path dataDir, int members, int agents, Optional<Duration> runFor, Optional<String> failSelector) {

    static final int FIRST_HTTP_PORT = 8080;
    static final int FIRST_GRPC_PORT = 7070;
    static final int FIRST_HAZELCAST_PORT = 5701;

    DemoSettings {
        dataDir = dataDir.toAbsolutePath().normalize();
        if (members < 1) {
            throw new IllegalArgumentException("--members must be at least 1, got " + members);
        }
        if (agents < 0) {
            throw new IllegalArgumentException("--agents must be 0 or more, got " + agents);
        }
        if (failSelector.isPresent() && agents == 0) {
            throw new IllegalArgumentException("--fail-selector needs simulated agents (--agents N)");
        }
    }

    int httpPort(int member) {
        return FIRST_HTTP_PORT + member;
    }

    int grpcPort(int member) {
        return FIRST_GRPC_PORT + member;
    }

    int hazelcastPort(int member) {
        return FIRST_HAZELCAST_PORT + member;
    }

    List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            ports.add(httpPort(i));
            ports.add(grpcPort(i));
            ports.add(hazelcastPort(i));
        }
        return ports;
    }

    /** "127.0.0.1:5701,127.0.0.1:5702,..." */
    String hazelcastMembers() {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            addresses.add("127.0.0.1:" + hazelcastPort(i));
        }
        return String.join(",", addresses);
    }

    /** "127.0.0.1:7070,127.0.0.1:7071,..." */
    String grpcAddresses() {
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            addresses.add("127.0.0.1:" + grpcPort(i));
        }
        return String.join(",", addresses);
    }

    Path logs() {
        return dataDir.resolve("logs");
    }

    Path memberDir(int member) {
        return dataDir.resolve("member-" + member);
    }

    Path agentDir() {
        return dataDir.resolve("agent");
    }

    /** The admin API token the first member writes (mode 0600) and the demo prints. */
    Path adminTokenFile() {
        return dataDir.resolve("admin.token");
    }
}
