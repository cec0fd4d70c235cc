package io.muster.cli.controller;

import io.muster.cli.address.HostPortConverter;
import io.muster.cli.duration.DurationConverter;
import io.muster.cli.launch.ParentOption;
import io.muster.cli.launch.StopSignal;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.event.EventSettings;
import io.muster.controller.event.KafkaSink;
import io.muster.controller.store.DatabaseUrl;
import io.muster.controller.task.RunSweeper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code muster controller}: one controller member, until SIGTERM or Ctrl-C (graceful hand-over). */
@Command(name = "controller", mixinStandardHelpOptions = true,
        description = "Run a controller member: agent gateway (gRPC), HTTP API, its share of the fleet.")
public final class ControllerCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ControllerCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--db-url", paramLabel = "URL",
            description = "PostgreSQL, postgresql://USER@HOST:PORT/DATABASE (default: an embedded one under --data-dir; one machine only).")
    String dbUrl;

    @Option(names = "--db-password-file", paramLabel = "FILE",
            description = "Read the --db-url password from FILE (keep it 0600) instead of the URL, where it would show in ps.")
    Path dbPasswordFile;

    @Option(names = "--secrets-key-file", paramLabel = "FILE",
            description = "The key that seals the CA private key, task secrets and webhook secrets in the database, "
                    + "created (0600) when absent (default: muster-secrets.key next to --data-dir). Every member of a "
                    + "cluster needs a copy of the same file; a member whose key does not match the database refuses to start.")
    Path secretsKeyFile;

    @Option(names = "--grpc-port", paramLabel = "PORT", defaultValue = "7070",
            description = "Agent gateway port: TLS with the agents' client certificates required; with --insecure "
                    + "plaintext, and FleetControl too (default: ${DEFAULT-VALUE}).")
    int grpcPort;

    @Option(names = "--enroll-port", paramLabel = "PORT", defaultValue = "7071",
            description = "Enrollment port: agents enroll here (TLS, no client certificate yet) and API clients call "
                    + "FleetControl; the --grpc-port requires the agents' client certificates. Not bound with --insecure "
                    + "(default: ${DEFAULT-VALUE}).")
    int enrollPort;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "HTTP API port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "muster-data",
            description = "Embedded database and local state (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--join", split = ",", paramLabel = "HOST:PORT[,HOST:PORT...]", converter = HostPortConverter.class,
            description = "Hazelcast addresses of the cluster's members (default: this member alone).")
    List<String> join;

    @Option(names = "--hz-port", paramLabel = "PORT", defaultValue = "5701",
            description = "Hazelcast member port (default: ${DEFAULT-VALUE}).")
    int hazelcastPort;

    @Option(names = "--advertise", paramLabel = "HOST",
            description = "Address other members and redirected agents use to reach this member (default: 127.0.0.1).")
    String advertise;

    @Option(names = "--cluster-name", paramLabel = "NAME",
            description = "Hazelcast cluster name; members with different names never merge (default: muster).")
    String clusterName;

    @Option(names = "--failure-detection", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A silent member is declared dead after this (default: 5s).")
    Duration failureDetection;

    @Option(names = "--agent-heartbeat", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Heartbeat interval agents are told to use; offline after three silent intervals (default: 10s).")
    Duration agentHeartbeat;

    @Option(names = "--insecure",
            description = "Plaintext agent gateway, agents not authenticated by certificate: for demos and tests only "
                    + "(a WARN line says so). Default: TLS with the cluster CA; agents enroll (muster agent --enroll-token-file).")
    boolean insecure;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "If FILE does not hold a token this cluster accepts, create an admin API token at start and "
                    + "write it there (mode 0600): the way in on a fresh cluster.")
    Path adminTokenFile;

    @Option(names = "--listen", paramLabel = "ADDRESS",
            description = "The address the gRPC and HTTP servers bind (default: 0.0.0.0, every interface; with --insecure "
                    + "127.0.0.1, so that an unauthenticated gateway is reachable from this machine only).")
    String listen;

    @Option(names = "--admin-token-lifetime", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long the token written to --admin-token-file lives; an expired one is replaced at the "
                    + "next start (default: 24h). Create named tokens with it (muster tokens create).")
    Duration adminTokenLifetime;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Publish fleet events to this Kafka cluster (default: no Kafka; webhooks and the SSE stream work without it).")
    String kafkaBootstrap;

    @Option(names = "--kafka-topic", paramLabel = "TOPIC", defaultValue = KafkaSink.DEFAULT_TOPIC,
            description = "The one topic every event goes to, keyed by host or task id (default: ${DEFAULT-VALUE}).")
    String kafkaTopic;

    @Option(names = "--webhook-retry", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a failing webhook delivery is retried before it is parked (default: 1h).")
    Duration webhookRetry;

    @Option(names = "--history-retention", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long inventory changes are kept, e.g. 720h; whole days are dropped (default: 90 days).")
    Duration historyRetention;

    @Option(names = "--vitals-retention", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long the 5-minute vitals series is kept, e.g. 720h; whole days are dropped (default: 7 days).")
    Duration vitalsRetention;

    @Option(names = "--vitals-resolution", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Bucket length of the vitals series, at least 1s (default: 5m).")
    Duration vitalsResolution;

    @Mixin
    ParentOption parent;

    private boolean loopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen " + address + " is not an address of this host");
        }
    }

    @Override
    public Integer call() throws Exception {
        checkPort("--grpc-port", grpcPort);
        checkPort("--http-port", httpPort);
        checkPort("--enroll-port", enrollPort);
        checkPort("--hz-port", hazelcastPort);
        if (adminTokenFile != null && Files.isDirectory(adminTokenFile)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--admin-token-file " + adminTokenFile + " is a directory; name the file to write the token to");
        }
        if (adminTokenLifetime != null && (adminTokenLifetime.isZero() || adminTokenLifetime.isNegative())) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--admin-token-lifetime must be positive, got " + adminTokenLifetime);
        }
        if (insecure && listen != null && !loopback(listen)) {
            log.warn("--insecure with --listen {}: the plaintext agent gateway accepts any host id from every host that "
                    + "reaches this address", listen);
        }
        String url = withPasswordFile(dbUrl, dbPasswordFile);
        StopSignal stop = StopSignal.onInterruptOrTerminate();
        parent.watch(stop);
        ControllerConfig config = new ControllerConfig(url, grpcPort, httpPort, dataDir, join, hazelcastPort,
                advertise, clusterName, failureDetection, agentHeartbeat, insecure, adminTokenFile)
                .withAdminTokenLifetime(adminTokenLifetime)
                .withEnrollPort(enrollPort)
                .withListenHost(listen != null ? listen : insecure ? "127.0.0.1" : "0.0.0.0")
                .withSecretsKeyFile(secretsKeyFile);
        EventSettings events = EventSettings.defaults().withKafka(kafkaBootstrap, kafkaTopic);
        if (webhookRetry != null) {
            events = events.withWebhookRetry(webhookRetry, EventSettings.DEFAULT_WEBHOOK_BACKOFF);
        }
        if (historyRetention != null) {
            events = events.withHistoryRetention(historyRetention);
        }
        if (vitalsRetention != null || vitalsResolution != null) {
            if (vitalsResolution != null && vitalsResolution.toMillis() < 1_000) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--vitals-resolution must be at least 1s, got " + vitalsResolution);
            }
            events = events.withVitals(vitalsResolution == null ? events.vitalsResolution() : vitalsResolution,
                    vitalsRetention == null ? events.vitalsRetention() : vitalsRetention);
        }
        Controller controller = Controller.start(config, RunSweeper.Settings.DEFAULTS, events);
        try {
            log.info("stopping: {}", stop.await());
        } finally {
            controller.close();
        }
        log.info("controller {} stopped", controller.memberId());
        return 0;
    }

    private String withPasswordFile(String url, Path passwordFile) {
        if (passwordFile == null) {
            return url;
        }
        if (url == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--db-password-file needs --db-url");
        }
        String password;
        try {
            password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--db-password-file " + passwordFile + " cannot be read: " + e.getMessage());
        }
        try {
            DatabaseUrl parsed = DatabaseUrl.parse(url);
            return new DatabaseUrl(parsed.host(), parsed.port(), parsed.database(), parsed.user(), password).url();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void checkPort(String option, int port) {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " must be 0..65535 (0 picks a free port), got " + port);
        }
    }
}
