package io.muster.controller.webhook;

import io.muster.controller.event.FleetEvent;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A subscription: events of the given types (all when empty), and when a selector is set only
 * events about hosts matching it, POSTed to {@code url} signed with {@code secret}.
 */
public record Webhook(UUID id, String url, List<String> types, String selector, String secret, String createdBy,
                      Instant createdAt) {

    public Webhook {
        types = List.copyOf(types);
    }

    /** Whether the type filters let this event through (the selector is checked in the database). */
    public boolean wants(FleetEvent event) {
        return types.isEmpty() || types.stream().anyMatch(filter -> FleetEvent.typeMatches(filter, event.type()));
    }
}
