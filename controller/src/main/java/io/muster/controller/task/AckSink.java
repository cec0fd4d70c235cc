package io.muster.controller.task;

import io.muster.proto.v1.UpdateRef;
import java.util.List;

/**
 * Where acknowledgements for an agent's updates go, normally that agent's stream.
 *
 * <p>Called on a Vert.x context thread, only after the updates are durable in PostgreSQL (or,
 * when they change nothing, after that was established); must not block.
 */
@FunctionalInterface
public interface AckSink {
    void acknowledge(List<UpdateRef> updates);
}
