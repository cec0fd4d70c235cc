package io.muster.controller.api;

import io.muster.controller.store.HostEvent;
import io.muster.controller.store.HostRecord;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** The API's JSON shapes for hosts and host events. */
final class HostJson {

    private HostJson() {
    }

    static JsonObject host(HostRecord host, String connectedTo, boolean withInventory) {
        JsonObject json = new JsonObject()
                .put("id", host.id())
                .put("hostname", host.hostname())
                .put("state", host.state())
                .put("lifecycle", host.lifecycle())
                .put("lastSeen", iso(host.lastSeen()))
                .put("firstSeen", iso(host.firstSeen()))
                .put("agentVersion", host.agentVersion())
                .put("connectedTo", connectedTo)
                .put("labels", new JsonObject(new java.util.LinkedHashMap<>(host.labels())))
                .put("facts", new JsonObject(new java.util.LinkedHashMap<>(host.facts())))
                .put("vitals", host.vitals().isEmpty() ? null : new JsonObject(new java.util.LinkedHashMap<>(host.vitals())));
        if (withInventory) {
            json.put("inventoryDigest", host.digest());
            json.put("inventory", host.inventory());
        }
        return json;
    }

    static JsonObject event(HostEvent event) {
        return new JsonObject()
                .put("id", event.id())
                .put("hostId", event.hostId())
                .put("kind", event.kind())
                .put("message", event.message())
                .put("detail", event.detail())
                .put("actor", event.actor())
                .put("at", iso(event.at()));
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
