package io.muster.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one agent process.
 *
 * @param controllers    seed list of controller gRPC addresses, "host:port"; any member will do
 * @param dataDir        where the host id, journal and finished run ids live
 * @param heartbeat      interval between heartbeats (default 10 s)
 * @param maxBackoff     cap of the reconnect backoff (default 30 s)
 * @param bootIdFile     file holding the boot id; null reads /proc/sys/kernel/random/boot_id
 *                       (tests point it at a file they change to simulate a reboot)
 * @param rebootCommand  command run by the lifecycle reboot action (default "systemctl reboot")
 * @param containerSocket Docker Engine API socket; null probes /run/docker.sock then
 *                       /run/podman/podman.sock
 * @param inventoryInterval how often the inventory is re-read; a changed digest sends a delta
 *                       (default 60 s)
 * @param enrollToken    enrollment token used once when the agent has no certificate yet (null: none)
 * @param caCert         PEM file of the cluster CA to pin during enrollment (null: trust on first use,
 *                       logging the CA's fingerprint)
 * @param insecure       plaintext connection without certificates (demo and tests); false = mTLS
 *                       with the certificate in {@code <dataDir>/tls/}
 * @param driftInterval  how often the last applied config is re-checked for drift (default 60 s)
 * @param enrollControllers controllers' enrollment ports, "host:port", tried in order while the agent
 *                       has no certificate (null or empty: the host of each of {@code controllers}
 *                       with port {@link #DEFAULT_ENROLL_PORT}); the gateway port itself requires
 *                       a client certificate
 */
public record AgentConfig(
        List<String> controllers,
        Path dataDir,
        Duration heartbeat,
        Duration maxBackoff,
        Path bootIdFile,
        List<String> rebootCommand,
        Path containerSocket,
        Duration inventoryInterval,
        String enrollToken,
        Path caCert,
        boolean insecure,
        Duration driftInterval,
        List<String> enrollControllers) {

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_INVENTORY_INTERVAL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_DRIFT_INTERVAL = Duration.ofSeconds(60);
    /** The controller's default enrollment port ({@code muster controller --enroll-port}). */
    public static final int DEFAULT_ENROLL_PORT = 7071;

    public AgentConfig {
        controllers = List.copyOf(controllers);
        if (controllers.isEmpty()) {
            throw new IllegalArgumentException("at least one controller address (host:port) is required");
        }
        Objects.requireNonNull(dataDir, "dataDir");
        heartbeat = heartbeat == null ? DEFAULT_HEARTBEAT : heartbeat;
        maxBackoff = maxBackoff == null ? DEFAULT_MAX_BACKOFF : maxBackoff;
        rebootCommand = rebootCommand == null ? List.of("systemctl", "reboot") : List.copyOf(rebootCommand);
        inventoryInterval = inventoryInterval == null ? DEFAULT_INVENTORY_INTERVAL : inventoryInterval;
        if (heartbeat.isNegative() || heartbeat.isZero() || inventoryInterval.isNegative() || inventoryInterval.isZero()) {
            throw new IllegalArgumentException("heartbeat and inventory intervals must be positive");
        }
        driftInterval = driftInterval == null ? DEFAULT_DRIFT_INTERVAL : driftInterval;
        if (driftInterval.isNegative() || driftInterval.isZero()) {
            throw new IllegalArgumentException("the drift check interval must be positive, not " + driftInterval);
        }
        enrollControllers = enrollControllers == null || enrollControllers.isEmpty()
                ? controllers.stream().map(AgentConfig::defaultEnrollAddress).toList()
                : List.copyOf(enrollControllers);
    }

    /** "host:port" of a gateway to "host:7071": the same controller's default enrollment port. */
    static String defaultEnrollAddress(String gateway) {
        int colon = gateway.lastIndexOf(':');
        return (colon < 0 ? gateway : gateway.substring(0, colon)) + ":" + DEFAULT_ENROLL_PORT;
    }

    /** The eleven settings before drift checks existed; the drift interval takes its default. */
    public AgentConfig(List<String> controllers, Path dataDir, Duration heartbeat, Duration maxBackoff,
            Path bootIdFile, List<String> rebootCommand, Path containerSocket, Duration inventoryInterval,
            String enrollToken, Path caCert, boolean insecure) {
        this(controllers, dataDir, heartbeat, maxBackoff, bootIdFile, rebootCommand, containerSocket, inventoryInterval,
                enrollToken, caCert, insecure, null, null);
    }

    /** The original seven settings; the inventory interval takes its default. */
    public AgentConfig(List<String> controllers, Path dataDir, Duration heartbeat, Duration maxBackoff,
            Path bootIdFile, List<String> rebootCommand, Path containerSocket) {
        this(controllers, dataDir, heartbeat, maxBackoff, bootIdFile, rebootCommand, containerSocket, null);
    }

    /** The original eight settings: a plaintext (insecure) connection, as before TLS existed. */
    public AgentConfig(List<String> controllers, Path dataDir, Duration heartbeat, Duration maxBackoff,
            Path bootIdFile, List<String> rebootCommand, Path containerSocket, Duration inventoryInterval) {
        this(controllers, dataDir, heartbeat, maxBackoff, bootIdFile, rebootCommand, containerSocket, inventoryInterval,
                null, null, true);
    }

    /**
     * This configuration with mTLS: enroll with {@code token} if there is no certificate yet
     * (token may be null for an agent already enrolled), optionally pinning {@code caCert}.
     */
    public AgentConfig secured(String token, Path caCertFile) {
        return new AgentConfig(controllers, dataDir, heartbeat, maxBackoff, bootIdFile, rebootCommand, containerSocket,
                inventoryInterval, token, caCertFile, false, driftInterval, enrollControllers);
    }

    /** This configuration with another inventory re-read interval. */
    public AgentConfig withInventoryInterval(Duration interval) {
        return new AgentConfig(controllers, dataDir, heartbeat, maxBackoff, bootIdFile, rebootCommand, containerSocket, interval,
                enrollToken, caCert, insecure, driftInterval, enrollControllers);
    }

    /** This configuration with another drift check interval. */
    public AgentConfig withDriftInterval(Duration interval) {
        return new AgentConfig(controllers, dataDir, heartbeat, maxBackoff, bootIdFile, rebootCommand, containerSocket,
                inventoryInterval, enrollToken, caCert, insecure, interval, enrollControllers);
    }

    /** This configuration enrolling through {@code addresses} (see {@link #enrollControllers()}). */
    public AgentConfig withEnrollControllers(List<String> addresses) {
        return new AgentConfig(controllers, dataDir, heartbeat, maxBackoff, bootIdFile, rebootCommand, containerSocket,
                inventoryInterval, enrollToken, caCert, insecure, driftInterval, addresses);
    }

    public static AgentConfig of(List<String> controllers, Path dataDir) {
        return new AgentConfig(controllers, dataDir, null, null, null, null, null, null);
    }
}
