package io.muster.controller.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.lifecycle.LifecycleRequest;
import io.muster.controller.task.CreatedTask;
import io.muster.controller.task.RunSweeper;
import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskTarget;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet events from the outbox to a real Kafka broker, through two real members, one of them in
 * its own JVM and killed with SIGKILL in the middle of the stream.
 */
class EventsToKafkaTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @TempDir
    static Path brokerDir;

    @TempDir
    Path temp;

    private static KafkaBroker broker;

    private TestDatabase database;
    private Controller member;
    private Process child;
    private FleetSimulator fleet;
    private final AtomicBoolean consuming = new AtomicBoolean(true);
    private Thread consumer;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void stop() throws Exception {
        consuming.set(false);
        if (consumer != null) {
            consumer.join(10_000);
        }
        if (fleet != null) {
            fleet.close();
        }
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        if (member != null) {
            member.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void a_session_reaches_kafka_as_documented_and_without_gaps_when_the_relay_member_is_killed() throws Exception {
        String topic = "events-" + UUID.randomUUID();
        broker.createTopic(topic, 3);
        List<ConsumerRecord<String, CloudEvent>> records = new CopyOnWriteArrayList<>();
        consume(topic, records);

        database = TestDatabase.create();
        String cluster = "events-" + UUID.randomUUID();
        member = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("a"), List.of(), 0, "127.0.0.1",
                cluster, Duration.ofSeconds(2), Duration.ofSeconds(1)), RunSweeper.Settings.DEFAULTS,
                EventSettings.defaults().withKafka(broker.bootstrap(), topic));
        String childId = startChild(cluster, topic);
        await().atMost(DEADLINE).until(() -> member.ownership().settled()
                && member.ownership().ownerIdOf("muster-outbox-0") != null
                && partitionsOwnedBy(childId) > 0);

        fleet = FleetSimulator.start(new SimulatorConfig(List.of("127.0.0.1:" + member.grpcPort()), 12, 7, 100,
                Duration.ofSeconds(1), 2000, Duration.ofMillis(20), "ev-"));
        await().atMost(DEADLINE).until(() -> database.count("SELECT count(*) FROM hosts WHERE state = 'online'") == 12);

        List<String> hosts = fleet.agents().stream().map(a -> a.hostId()).sorted().toList();
        result(member.hosts().setLabels(hosts.get(1), Map.of("team", "web")));
        result(member.hosts().addEvent(hosts.get(2), "drift", "/etc/motd changed", new JsonObject().put("path", "/etc/motd"), "agent"));
        result(member.lifecycle().act(hosts.get(3), LifecycleRequest.parse(new JsonObject().put("action", "cordon")), "test"));
        CreatedTask first = result(member.tasks().create(new TaskRequest(new TaskTarget.BySelector(Selector.all()),
                TaskKind.EXEC, new JsonObject().put("shell", "true"), 60, false)));

        // The child owns some outbox partitions: kill it while the task's events are being written.
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
        CreatedTask second = result(member.tasks().create(new TaskRequest(new TaskTarget.BySelector(Selector.all()),
                TaskKind.EXEC, new JsonObject().put("shell", "echo hi"), 60, false)));

        await().atMost(DEADLINE).until(() -> database.count("SELECT count(*) FROM outbox WHERE type = 'task.finished'") == 2);
        Set<Long> written = new HashSet<>(database.longs("SELECT id FROM outbox"));
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(idsOf(records)).containsAll(written));

        Map<String, List<CloudEvent>> byType = new HashMap<>();
        Map<Long, CloudEvent> unique = new HashMap<>();
        for (ConsumerRecord<String, CloudEvent> record : records) {
            CloudEvent event = record.value();
            assertThat(record.key()).isEqualTo(event.getSubject());
            assertThat(event.getSource().toString()).isEqualTo("urn:muster:" + cluster);
            if (unique.putIfAbsent(Long.parseLong(event.getId()), event) == null) {
                byType.computeIfAbsent(event.getType(), t -> new ArrayList<>()).add(event);
            }
        }
        assertThat(subjects(byType.get("host.registered"))).hasSize(12);
        assertThat(subjects(byType.get("host.online"))).hasSize(12);
        assertThat(data(byType.get("host.labels.changed")).get(0).getJsonObject("labels").getString("team")).isEqualTo("web");
        assertThat(data(byType.get("host.drift")).get(0).getJsonObject("detail").getString("path")).isEqualTo("/etc/motd");
        JsonObject lifecycle = data(byType.get("host.lifecycle.changed")).get(0);
        assertThat(lifecycle.getString("host")).isEqualTo(hosts.get(3));
        assertThat(lifecycle.getString("lifecycle")).isEqualTo("cordoned");
        assertThat(subjects(byType.get("task.created")))
                .containsExactlyInAnyOrder(first.header().taskId().toString(), second.header().taskId().toString());
        // One host is cordoned: the tasks reach the 11 ready hosts.
        List<JsonObject> runs = data(byType.get("run.finished"));
        assertThat(runs).hasSize(first.runs().size() + second.runs().size());
        assertThat(runs).allSatisfy(run -> {
            assertThat(run.getString("state")).isEqualTo("succeeded");
            assertThat(run.getInteger("exitCode")).isZero();
            assertThat(run.getString("output")).isEqualTo("/api/v1/tasks/" + run.getString("task") + "/runs/"
                    + run.getString("run") + "/output");
        });
        for (JsonObject finished : data(byType.get("task.finished"))) {
            assertThat(finished.getJsonObject("counts").getInteger("succeeded")).isEqualTo(first.runs().size());
        }
        // Per subject in order, on the records as the consumer read them: every run of a task is
        // published before the task is finished. The killed member's last batch may be published
        // again by the survivor (at least once), so a record whose event id was already read is a
        // redelivery and is skipped; every event's first delivery must be in order.
        for (CreatedTask task : List.of(first, second)) {
            List<String> types = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (ConsumerRecord<String, CloudEvent> record : records) {
                if (record.key().equals(task.header().taskId().toString()) && seen.add(record.value().getId())) {
                    types.add(record.value().getType());
                }
            }
            int ran = task.runs().size();
            assertThat(types).as("events of task %s in the order read", task.header().taskId()).hasSize(ran + 2);
            assertThat(types.get(0)).isEqualTo("task.created");
            assertThat(types.subList(1, ran + 1)).containsOnly("run.finished");
            assertThat(types.get(ran + 1)).isEqualTo("task.finished");
        }
    }

    private String startChild(String cluster, String topic) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = temp.resolve("child.log");
        Files.createDirectories(temp.resolve("b"));
        child = new ProcessBuilder(javaBin.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ControllerProcessMain.class.getName(),
                database.url(), cluster, "127.0.0.1:" + member.hazelcastPort(), broker.bootstrap(), topic,
                temp.resolve("b").toString())
                .redirectError(log.toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                String memberId = line.split(" ")[2];
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(java.io.Writer.nullWriter());
                    } catch (java.io.IOException ignored) {
                        // the child was killed
                    }
                }, "child-stdout");
                drain.setDaemon(true);
                drain.start();
                return memberId;
            }
        }
        throw new IllegalStateException("child member did not start: " + Files.readString(log));
    }

    private long partitionsOwnedBy(String memberId) {
        long owned = 0;
        for (int partition = 0; partition < Outbox.PARTITIONS; partition++) {
            if (memberId.equals(member.ownership().ownerIdOf(OutboxRelay.OWNER_KEY_PREFIX + partition))) {
                owned++;
            }
        }
        return owned;
    }

    private void consume(String topic, List<ConsumerRecord<String, CloudEvent>> records) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, CloudEvent> kafka = new KafkaConsumer<>(props, new StringDeserializer(), new CloudEventDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        kafka.assign(partitions);
        kafka.seekToBeginning(partitions);
        consumer = new Thread(() -> {
            try (kafka) {
                while (consuming.get()) {
                    kafka.poll(Duration.ofMillis(200)).forEach(records::add);
                }
            }
        }, "test-consumer");
        consumer.start();
    }

    private static Set<Long> idsOf(List<ConsumerRecord<String, CloudEvent>> records) {
        Set<Long> ids = new HashSet<>();
        records.forEach(r -> ids.add(Long.parseLong(r.value().getId())));
        return ids;
    }

    private static Set<String> subjects(List<CloudEvent> events) {
        assertThat(events).isNotNull();
        Set<String> subjects = new HashSet<>();
        events.forEach(e -> subjects.add(e.getSubject()));
        return subjects;
    }

    private static List<JsonObject> data(List<CloudEvent> events) {
        assertThat(events).isNotNull().isNotEmpty();
        return events.stream().map(e -> new JsonObject(new String(e.getData().toBytes(), StandardCharsets.UTF_8))).toList();
    }

    private static <T> T result(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
