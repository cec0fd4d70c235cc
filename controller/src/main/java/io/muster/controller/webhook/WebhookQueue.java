package io.muster.controller.webhook;

import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.muster.controller.event.EventSink;
import io.muster.controller.event.FleetEvent;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The relay's webhook sink: queues each event for every webhook that wants it, as the exact body
 * that will be POSTed (a structured-mode CloudEvent, {@code application/cloudevents+json}). Only
 * database writes: a slow or dead receiver never holds the relay up; {@link WebhookDispatcher}
 * sends the queue on its own path.
 */
public final class WebhookQueue implements EventSink {

    private static final EventFormat FORMAT = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    private final WebhookStore store;
    private final URI source;

    public WebhookQueue(WebhookStore store, URI source) {
        this.store = store;
        this.source = source;
    }

    @Override
    public Future<Void> publish(List<FleetEvent> events) {
        return store.list().compose(hooks -> {
            if (hooks.isEmpty()) {
                return Future.succeededFuture();
            }
            List<Future<Set<String>>> selected = new ArrayList<>(hooks.size());
            for (Webhook hook : hooks) {
                selected.add(hostsWanted(hook, events));
            }
            return Future.all(selected).compose(all -> {
                List<UUID> webhookIds = new ArrayList<>();
                List<Long> eventIds = new ArrayList<>();
                List<String> types = new ArrayList<>();
                List<String> bodies = new ArrayList<>();
                Map<Long, String> encoded = new HashMap<>();
                for (int i = 0; i < hooks.size(); i++) {
                    Webhook hook = hooks.get(i);
                    Set<String> hosts = selected.get(i).result();
                    for (FleetEvent event : events) {
                        if (!hook.wants(event) || (hosts != null && (event.hostId() == null || !hosts.contains(event.hostId())))) {
                            continue;
                        }
                        webhookIds.add(hook.id());
                        eventIds.add(event.id());
                        types.add(event.type());
                        bodies.add(encoded.computeIfAbsent(event.id(), id -> body(event)));
                    }
                }
                return store.enqueue(webhookIds, eventIds, types, bodies);
            });
        });
    }

    /** The hosts of these events matching the webhook's selector; null when it has none (all pass). */
    private Future<Set<String>> hostsWanted(Webhook hook, List<FleetEvent> events) {
        if (hook.selector() == null) {
            return Future.succeededFuture(null);
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (FleetEvent event : events) {
            if (event.hostId() != null && hook.wants(event)) {
                hosts.add(event.hostId());
            }
        }
        return hosts.isEmpty() ? Future.succeededFuture(Set.of()) : store.matching(Selector.parse(hook.selector()), hosts);
    }

    private String body(FleetEvent event) {
        return new String(FORMAT.serialize(event.toCloudEvent(source)), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        // Nothing of its own: the pool belongs to the member.
    }
}
