package io.muster.controller.event;

import java.time.Duration;
import java.util.Objects;

/**
 * How a member publishes fleet events and keeps history (inventory changes, vitals).
 *
 * @param kafkaBootstrap  Kafka bootstrap servers ("host:port,..."); null publishes to no broker
 * @param kafkaTopic      the one topic every event goes to, keyed by subject
 * @param relayInterval   how often the relay looks for new events when idle
 * @param relayBatch      events read per partition and round
 * @param retention       how long published events stay in the outbox (the SSE resume window)
 * @param webhookRetry    how long a failing webhook delivery is retried before it is parked
 * @param webhookBackoff  the first retry's delay; each next one doubles, at most one minute
 * @param historyRetention how long inventory changes are kept (whole days are dropped)
 * @param vitalsResolution the bucket length of the downsampled vitals series (at least 1 s)
 * @param vitalsRetention how long the vitals series is kept (whole days are dropped)
 */
public record EventSettings(String kafkaBootstrap, String kafkaTopic, Duration relayInterval, int relayBatch,
                            Duration retention, Duration webhookRetry, Duration webhookBackoff,
                            Duration historyRetention, Duration vitalsResolution, Duration vitalsRetention) {

    public static final Duration DEFAULT_RELAY_INTERVAL = Duration.ofMillis(200);
    public static final int DEFAULT_RELAY_BATCH = 500;
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    public static final Duration DEFAULT_WEBHOOK_RETRY = Duration.ofHours(1);
    public static final Duration DEFAULT_WEBHOOK_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_HISTORY_RETENTION = Duration.ofDays(90);
    public static final Duration DEFAULT_VITALS_RESOLUTION = Duration.ofMinutes(5);
    public static final Duration DEFAULT_VITALS_RETENTION = Duration.ofDays(7);

    public EventSettings {
        kafkaTopic = kafkaTopic == null || kafkaTopic.isBlank() ? KafkaSink.DEFAULT_TOPIC : kafkaTopic;
        Objects.requireNonNull(relayInterval, "relayInterval");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(webhookRetry, "webhookRetry");
        Objects.requireNonNull(webhookBackoff, "webhookBackoff");
        Objects.requireNonNull(historyRetention, "historyRetention");
        Objects.requireNonNull(vitalsRetention, "vitalsRetention");
        if (vitalsResolution == null || vitalsResolution.toMillis() < 1_000) {
            throw new IllegalArgumentException("vitalsResolution must be at least 1 s, got " + vitalsResolution);
        }
        if (relayBatch < 1) {
            throw new IllegalArgumentException("relayBatch must be positive, got " + relayBatch);
        }
    }

    /** No Kafka; defaults for the rest. */
    public static EventSettings defaults() {
        return new EventSettings(null, null, DEFAULT_RELAY_INTERVAL, DEFAULT_RELAY_BATCH, DEFAULT_RETENTION,
                DEFAULT_WEBHOOK_RETRY, DEFAULT_WEBHOOK_BACKOFF, DEFAULT_HISTORY_RETENTION, DEFAULT_VITALS_RESOLUTION,
                DEFAULT_VITALS_RETENTION);
    }

    /** These settings publishing to a Kafka cluster. */
    public EventSettings withKafka(String bootstrap, String topic) {
        return new EventSettings(bootstrap, topic, relayInterval, relayBatch, retention, webhookRetry, webhookBackoff,
                historyRetention, vitalsResolution, vitalsRetention);
    }

    /** These settings with another webhook retry window and first backoff. */
    public EventSettings withWebhookRetry(Duration retry, Duration backoff) {
        return new EventSettings(kafkaBootstrap, kafkaTopic, relayInterval, relayBatch, retention, retry, backoff,
                historyRetention, vitalsResolution, vitalsRetention);
    }

    /** These settings keeping inventory history for another period. */
    public EventSettings withHistoryRetention(Duration keep) {
        return new EventSettings(kafkaBootstrap, kafkaTopic, relayInterval, relayBatch, retention, webhookRetry,
                webhookBackoff, keep, vitalsResolution, vitalsRetention);
    }

    /** These settings with another vitals bucket length and retention. */
    public EventSettings withVitals(Duration resolution, Duration keep) {
        return new EventSettings(kafkaBootstrap, kafkaTopic, relayInterval, relayBatch, retention, webhookRetry,
                webhookBackoff, historyRetention, resolution, keep);
    }
}
