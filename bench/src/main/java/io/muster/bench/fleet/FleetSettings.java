package io.muster.bench.fleet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the bench fleet is laid out.
 *
 * @param dataDir           member data dirs, the embedded PostgreSQL, logs and simulator reports
 * @param members           controller member processes
 * @param heartbeat         heartbeat interval the members tell agents to use
 * @param dbUrl             an external PostgreSQL server (a scratch database is created on it and
 *                          dropped afterwards); empty = embedded PostgreSQL in the bench process
 * @param agentsPerChannel  simulated agents sharing one gRPC connection
 * @param connectRate       agents per second, over all simulators, while a fleet ramps up
 * @param taskDelay         how long a simulated task takes
 * @param memberJvmFlags    extra JVM flags of each member
 * @param simulatorJvmFlags extra JVM flags of each simulator
 * @param memberArguments   extra arguments of every {@code muster controller} (e.g. {@code --insecure})
 * @param adminTokenFile    where the bench writes the admin token it creates for its API calls
 *                          (see {@link AdminToken}); empty for controllers without API auth
 * @param failSelector      simulated hosts matching it fail every run (the rollout scenario's
 *                          failure budget); empty = none fail
 */
public record FleetSettings(
        Path dataDir,
        int members,
        Duration heartbeat,
        Optional<String> dbUrl,
        int agentsPerChannel,
        int connectRate,
        Duration taskDelay,
        List<String> memberJvmFlags,
        List<String> simulatorJvmFlags,
        List<String> memberArguments,
        Optional<Path> adminTokenFile,
        Optional<String> failSelector) {

    /** A fleet whose simulated hosts never fail. */
    public FleetSettings(Path dataDir, int members, Duration heartbeat, Optional<String> dbUrl, int agentsPerChannel,
                         int connectRate, Duration taskDelay, List<String> memberJvmFlags, List<String> simulatorJvmFlags,
                         List<String> memberArguments, Optional<Path> adminTokenFile) {
        this(dataDir, members, heartbeat, dbUrl, agentsPerChannel, connectRate, taskDelay, memberJvmFlags, simulatorJvmFlags,
                memberArguments, adminTokenFile, Optional.empty());
    }

    public FleetSettings {
        if (members < 1) {
            throw new IllegalArgumentException("at least one member is needed, got " + members);
        }
        memberJvmFlags = List.copyOf(memberJvmFlags);
        simulatorJvmFlags = List.copyOf(simulatorJvmFlags);
        memberArguments = List.copyOf(memberArguments);
    }

    public Path logs() {
        return dataDir.resolve("logs");
    }
}
