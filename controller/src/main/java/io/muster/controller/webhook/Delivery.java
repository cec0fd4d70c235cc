package io.muster.controller.webhook;

import java.time.Instant;
import java.util.UUID;

/** One event queued for one webhook, and how its delivery went so far. */
public record Delivery(long id, UUID webhookId, long eventId, String eventType, String body, String state, int attempts,
                       Integer lastStatus, String lastError, Instant nextAttemptAt, Instant createdAt,
                       Instant finishedAt) {
}
