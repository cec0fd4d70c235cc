package io.muster.controller.event;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Pattern;

/**
 * One row of the outbox: a change of the fleet, written in the transaction of the change.
 *
 * @param id        outbox id, also the CloudEvent id (consumers deduplicate on it)
 * @param tx        order key: the writing transaction's id, or the tx of the subject's previous
 *                  event if larger; (tx, id) is the publication order
 * @param partition relay partition of the subject (0..{@value Outbox#PARTITIONS} - 1)
 * @param type      e.g. {@code host.online} (the list is in docs/events.md)
 * @param subject   host id, task id, or an audit target
 * @param hostId    the host the event is about, or null
 * @param data      the event's payload
 * @param at        when the change was committed (database clock)
 */
public record FleetEvent(long id, long tx, int partition, String type, String subject, String hostId,
                         JsonObject data, Instant at) {

    private static final Pattern TYPE_FILTER = Pattern.compile("\\*|[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*(\\.\\*)?");

    /** This event as a CloudEvent (spec 1.0) from {@code source}, with JSON data. */
    public CloudEvent toCloudEvent(URI source) {
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(Long.toString(id))
                .withSource(source)
                .withType(type)
                .withSubject(subject)
                .withTime(at.atOffset(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(data.encode().getBytes(StandardCharsets.UTF_8));
        return builder.build();
    }

    /** Whether a type filter is well formed: {@code *}, a type, or a family like {@code host.*}. */
    public static boolean validFilter(String filter) {
        return TYPE_FILTER.matcher(filter).matches();
    }

    /** Whether the type matches a filter: exact, a prefix ending in {@code .*}, or {@code *}. */
    public static boolean typeMatches(String filter, String type) {
        if (filter.equals("*")) {
            return true;
        }
        if (filter.endsWith(".*")) {
            return type.startsWith(filter.substring(0, filter.length() - 1));
        }
        return filter.equals(type);
    }
}
