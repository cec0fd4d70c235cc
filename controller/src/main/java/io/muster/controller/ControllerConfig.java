package io.muster.controller;

import io.muster.controller.auth.ApiTokens;
import io.muster.controller.cluster.ClusterSettings;
import io.muster.controller.gateway.GatewaySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one controller member.
 *
 * @param dbUrl             PostgreSQL URL (postgresql://user@host:port/db); null starts an embedded
 *                          PostgreSQL under dataDir (single machine only)
 * @param grpcPort          agent gateway and FleetControl port (default 7070; 0 picks a free one)
 * @param httpPort          REST/GraphQL/metrics port (default 8080; 0 picks a free one)
 * @param dataDir           embedded database and local state (default ./muster-data)
 * @param join              Hazelcast member addresses "host:port" to join; empty = this member alone
 * @param hazelcastPort     Hazelcast member port (default 5701; 0 picks a free one)
 * @param advertiseHost     address other members and redirected agents use to reach this member
 * @param clusterName       Hazelcast cluster name; members with different names never merge
 * @param failureDetection  time after which a silent member is declared dead (default 5 s)
 * @param agentHeartbeat    heartbeat interval agents are told to use (default 10 s); a host is
 *                          offline after three intervals of silence
 * @param insecure          plaintext agent gateway without client certificates (demo and tests;
 *                          a WARN line says so at start); false = TLS with the cluster CA, agents
 *                          enroll and connect with client certificates
 * @param adminTokenFile    if set and the file does not exist, an admin API token is created at
 *                          start and written there (mode 0600): a way in on a fresh cluster
 * @param maxConnectsInFlight Hellos this member admits while their connect write is pending
 *                          (0 = default 2,000); beyond that a Hello is refused at once with
 *                          UNAVAILABLE "member busy" and the agent backs off with jitter
 * @param adminTokenLifetime how long the token written to adminTokenFile lives (null = 24 h,
 *                          {@link ApiTokens#DEFAULT_BOOTSTRAP_LIFETIME})
 * @param listenHost        the address the gRPC and HTTP servers bind (null = 0.0.0.0, every
 *                          interface); the demo binds 127.0.0.1 because it runs insecure
 * @param enrollPort        the enrollment port: Enrollment and FleetControl over TLS without a
 *                          client certificate, while the agent port (grpcPort) requires one; not
 *                          bound when insecure (default 7071 from the command line; 0 picks a free one)
 * @param secretsKeyFile    the key that seals the CA private key, task secrets and webhook secrets in the database
 *                          (null = {@code muster-secrets.key} next to dataDir, in its parent
 *                          directory); created (0600) when absent. Every member of a cluster
 *                          needs a copy of the same file
 */
public record ControllerConfig(
        String dbUrl,
        int grpcPort,
        int httpPort,
        Path dataDir,
        List<String> join,
        int hazelcastPort,
        String advertiseHost,
        String clusterName,
        Duration failureDetection,
        Duration agentHeartbeat,
        boolean insecure,
        Path adminTokenFile,
        int maxConnectsInFlight,
        Duration adminTokenLifetime,
        String listenHost,
        int enrollPort,
        Path secretsKeyFile) {

    public static final int DEFAULT_GRPC_PORT = 7070;
    public static final int DEFAULT_HTTP_PORT = 8080;
    /** The enrollment port {@code muster controller} binds, and the one agents assume unless told. */
    public static final int DEFAULT_ENROLL_PORT = 7071;
    public static final int DEFAULT_HAZELCAST_PORT = 5701;
    public static final Duration DEFAULT_FAILURE_DETECTION = Duration.ofSeconds(5);
    public static final Duration DEFAULT_AGENT_HEARTBEAT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_CONNECTS_IN_FLIGHT = GatewaySettings.DEFAULT_MAX_CONNECTS_IN_FLIGHT;

    public ControllerConfig {
        dataDir = dataDir == null ? Path.of("muster-data") : dataDir;
        join = join == null ? List.of() : List.copyOf(join);
        advertiseHost = advertiseHost == null ? "127.0.0.1" : advertiseHost;
        clusterName = clusterName == null ? "muster" : clusterName;
        failureDetection = failureDetection == null ? DEFAULT_FAILURE_DETECTION : failureDetection;
        agentHeartbeat = agentHeartbeat == null ? DEFAULT_AGENT_HEARTBEAT : agentHeartbeat;
        if (maxConnectsInFlight < 0) {
            throw new IllegalArgumentException("maxConnectsInFlight must not be negative, got " + maxConnectsInFlight);
        }
        maxConnectsInFlight = maxConnectsInFlight == 0 ? DEFAULT_MAX_CONNECTS_IN_FLIGHT : maxConnectsInFlight;
        listenHost = listenHost == null ? "0.0.0.0" : listenHost;
        adminTokenLifetime = adminTokenLifetime == null ? ApiTokens.DEFAULT_BOOTSTRAP_LIFETIME : adminTokenLifetime;
        if (adminTokenLifetime.isNegative() || adminTokenLifetime.isZero()) {
            throw new IllegalArgumentException("adminTokenLifetime must be positive, got " + adminTokenLifetime);
        }
        Objects.requireNonNull(advertiseHost);
        secretsKeyFile = secretsKeyFile == null ? defaultSecretsKeyFile(dataDir) : secretsKeyFile;
    }

    /** {@code muster-secrets.key} beside the data dir: outside the embedded database and its backups. */
    public static Path defaultSecretsKeyFile(Path dataDir) {
        Path absolute = dataDir.toAbsolutePath().normalize();
        Path parent = absolute.getParent() == null ? absolute : absolute.getParent();
        return parent.resolve("muster-secrets.key");
    }

    /** Every setting but the connect admission limit, which takes its default. */
    public ControllerConfig(String dbUrl, int grpcPort, int httpPort, Path dataDir, List<String> join, int hazelcastPort,
                            String advertiseHost, String clusterName, Duration failureDetection, Duration agentHeartbeat,
                            boolean insecure, Path adminTokenFile) {
        this(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName, failureDetection,
                agentHeartbeat, insecure, adminTokenFile, 0, null, null, 0, null);
    }

    /** The original ten settings: an insecure (plaintext) gateway, as before TLS existed. */
    public ControllerConfig(String dbUrl, int grpcPort, int httpPort, Path dataDir, List<String> join, int hazelcastPort,
                            String advertiseHost, String clusterName, Duration failureDetection, Duration agentHeartbeat) {
        this(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName, failureDetection,
                agentHeartbeat, true, null);
    }

    /** This configuration with a TLS gateway (false) or a plaintext one (true). */
    public ControllerConfig withInsecure(boolean plaintext) {
        return new ControllerConfig(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName,
                failureDetection, agentHeartbeat, plaintext, adminTokenFile, maxConnectsInFlight, adminTokenLifetime,
                listenHost, enrollPort, secretsKeyFile);
    }

    /** This configuration with an admin token file (see {@link #adminTokenFile()}). */
    public ControllerConfig withAdminTokenFile(Path file) {
        return new ControllerConfig(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName,
                failureDetection, agentHeartbeat, insecure, file, maxConnectsInFlight, adminTokenLifetime,
                listenHost, enrollPort, secretsKeyFile);
    }

    /** This configuration with another connect admission limit (see {@link #maxConnectsInFlight()}). */
    public ControllerConfig withMaxConnectsInFlight(int limit) {
        return new ControllerConfig(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName,
                failureDetection, agentHeartbeat, insecure, adminTokenFile, limit, adminTokenLifetime,
                listenHost, enrollPort, secretsKeyFile);
    }

    /** This configuration with another bootstrap admin token lifetime (see {@link #adminTokenLifetime()}). */
    public ControllerConfig withAdminTokenLifetime(Duration lifetime) {
        return new ControllerConfig(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName,
                failureDetection, agentHeartbeat, insecure, adminTokenFile, maxConnectsInFlight, lifetime,
                listenHost, enrollPort, secretsKeyFile);
    }

    /** This configuration with the gRPC and HTTP servers bound to {@code host} (see {@link #listenHost()}). */
    public ControllerConfig withListenHost(String host) {
        return new ControllerConfig(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName,
                failureDetection, agentHeartbeat, insecure, adminTokenFile, maxConnectsInFlight, adminTokenLifetime,
                host, enrollPort, secretsKeyFile);
    }

    /** This configuration with the enrollment port {@code port} (see {@link #enrollPort()}). */
    public ControllerConfig withEnrollPort(int port) {
        return new ControllerConfig(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName,
                failureDetection, agentHeartbeat, insecure, adminTokenFile, maxConnectsInFlight, adminTokenLifetime,
                listenHost, port, secretsKeyFile);
    }

    /** This configuration with another secrets key file (see {@link #secretsKeyFile()}). */
    public ControllerConfig withSecretsKeyFile(Path file) {
        return new ControllerConfig(dbUrl, grpcPort, httpPort, dataDir, join, hazelcastPort, advertiseHost, clusterName,
                failureDetection, agentHeartbeat, insecure, adminTokenFile, maxConnectsInFlight, adminTokenLifetime,
                listenHost, enrollPort, file);
    }

    /** What the Hazelcast member needs of this configuration. */
    public ClusterSettings cluster() {
        return new ClusterSettings(clusterName, join, hazelcastPort, advertiseHost, failureDetection);
    }
}
