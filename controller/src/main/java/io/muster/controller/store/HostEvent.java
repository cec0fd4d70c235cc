package io.muster.controller.store;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Something that happened to a host (config drift, lifecycle step, label change...).
 *
 * @param detail structured detail, null when there is none
 * @param actor  who caused it (a token name, "agent", "controller"), null when unknown
 */
public record HostEvent(long id, String hostId, String kind, String message, JsonObject detail, String actor, Instant at) {
}
