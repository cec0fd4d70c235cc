package io.muster.controller.dispatch;

import io.muster.proto.v1.ControllerMessage;

/**
 * The controller's end of one agent's live stream on this member, as dispatch sees it.
 *
 * <p>{@link #send} may be called from any thread and never blocks: the message is queued on the
 * stream and written when gRPC flow control allows.
 */
public interface AgentLink {

    String hostId();

    /**
     * Whether the agent has the executor for {@code kind}: true when it listed it in its Hello's
     * capabilities, or listed none (an agent too old to say).
     */
    default boolean canRun(String kind) {
        return true;
    }

    /**
     * Queues a message for the agent.
     *
     * @return false when the stream is closed or its queue is full (the message is dropped; the
     *     agent gets open runs again when it reconnects)
     */
    boolean send(ControllerMessage message);
}
