package io.muster.controller.event;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventSerializer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes events to ONE Kafka topic, keyed by subject (host id, task id): Kafka keeps a key's
 * records in one partition, so a consumer reads each host's and each task's events in order.
 * Records are CloudEvents in binary mode: the data (JSON) is the value, the attributes are
 * {@code ce_*} headers ({@code ce_id} is the event id to deduplicate on).
 *
 * <p>The producer is idempotent with {@code acks=all}; {@link #publish} completes once the broker
 * acknowledged every record. Sends run on a worker thread (a send may wait for metadata).
 */
public final class KafkaSink implements EventSink {

    /** The topic when none is configured. */
    public static final String DEFAULT_TOPIC = "muster.events";
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final String topic;
    private final URI source;
    private final KafkaProducer<String, CloudEvent> producer;

    public KafkaSink(Vertx vertx, String bootstrapServers, String topic, URI source, String clientId) {
        this.vertx = vertx;
        this.topic = topic;
        this.source = source;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new CloudEventSerializer());
    }

    @Override
    public Future<Void> publish(List<FleetEvent> events) {
        return vertx.executeBlocking(() -> {
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>(events.size());
            for (FleetEvent event : events) {
                sent.add(producer.send(new ProducerRecord<>(topic, event.subject(), event.toCloudEvent(source))));
            }
            producer.flush();
            for (java.util.concurrent.Future<RecordMetadata> ack : sent) {
                try {
                    ack.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("Kafka did not take event: " + e.getCause().getMessage(), e.getCause());
                }
            }
            return null;
        }, false);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
