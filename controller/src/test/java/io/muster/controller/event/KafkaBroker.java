package io.muster.controller.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) in a child JVM
 * started from the kafka_2.13 artifact on the test class path: storage formatted with
 * {@code kafka.tools.StorageTool}, then {@code kafka.Kafka}. Its log goes to a file in its
 * directory. Start it once per test class; {@link #close()} kills it and deletes nothing the
 * test's temporary directory does not.
 */
final class KafkaBroker implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final String bootstrap;
    private final Path dir;

    private KafkaBroker(Process process, String bootstrap, Path dir) {
        this.process = process;
        this.bootstrap = bootstrap;
        this.dir = dir;
    }

    static KafkaBroker start(Path dir) throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        Path config = dir.resolve("server.properties");
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", dir.resolve("data").toString());
        props.put("num.partitions", "3");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "3");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        try (var out = Files.newOutputStream(config)) {
            props.store(out, "test broker");
        }
        Path log = dir.resolve("broker.log");
        Process format = java(dir, log, "kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c", config.toString());
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka storage format failed: " + Files.readString(log));
        }
        Process broker = java(dir, log, "kafka.Kafka", config.toString());
        KafkaBroker started = new KafkaBroker(broker, "127.0.0.1:" + port, dir);
        started.awaitReady();
        return started;
    }

    String bootstrap() {
        return bootstrap;
    }

    /** Creates a topic with {@code partitions} partitions and waits until it exists. */
    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(props);
    }

    private void awaitReady() throws Exception {
        Exception[] last = {null};
        try {
            Awaitility.await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("kafka broker exited: " + Files.readString(dir.resolve("broker.log")));
                }
                try (Admin admin = admin()) {
                    return !admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty();
                } catch (Exception e) {
                    last[0] = e;
                    return false;
                }
            });
        } catch (ConditionTimeoutException e) {
            close();
            throw new IllegalStateException("kafka broker not ready within " + START_TIMEOUT, last[0]);
        }
    }

    private static Process java(Path dir, Path log, String main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private static String randomClusterId() {
        UUID uuid = UUID.randomUUID();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
