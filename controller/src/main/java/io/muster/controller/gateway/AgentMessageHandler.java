package io.muster.controller.gateway;

import io.muster.controller.cluster.SessionRules;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.Heartbeat;
import io.vertx.core.Future;

/**
 * Receives what agents send beyond the session protocol itself: task updates, acks and host
 * events. The gateway handles Hello, Heartbeat and inventory; everything else comes here.
 *
 * <p>Threading: every method is called on a gRPC thread, one message at a time per session, and
 * must not block. The session requests its next message only when the returned future completes,
 * so a slow handler slows only its own agent (gRPC flow control pushes back on it).
 */
public interface AgentMessageHandler {

    /**
     * Handles a TaskUpdate, Ack or HostEvent from the agent of {@code session}.
     *
     * @return completes when the message has been handled (for a task update: made durable, so
     *         the handler may then acknowledge it through {@link AgentSession#send})
     */
    Future<Void> onMessage(AgentSession session, AgentMessage message);

    /**
     * A heartbeat of an open session (e.g. its managed containers). Called after the gateway
     * recorded the liveness; must return at once.
     */
    default void onHeartbeat(AgentSession session, Heartbeat heartbeat) {
    }

    /** The session was accepted and welcomed; e.g. push the host's pending work. */
    default void onSessionOpened(AgentSession session) {
    }

    /** The session ended. */
    default void onSessionClosed(AgentSession session, SessionRules.EndCause cause) {
    }
}
