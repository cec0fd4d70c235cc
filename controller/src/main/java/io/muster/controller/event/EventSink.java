package io.muster.controller.event;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where the relay publishes events (Kafka, the webhook queue).
 *
 * <p>Called by one relay at a time per member, never concurrently with itself on one member;
 * two members may publish the same events during a partition move (at least once). The events
 * come ordered per partition, and the future completes only when every one of them is durably
 * accepted; a failed future makes the relay publish the same events again later.
 */
public interface EventSink extends AutoCloseable {

    Future<Void> publish(List<FleetEvent> events);

    /** Releases connections; called once at member shutdown. */
    @Override
    void close();
}
