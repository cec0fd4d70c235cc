package io.muster.controller.gateway;

import io.grpc.Status;
import io.muster.proto.v1.ControllerMessage;

/**
 * An accepted agent session on this member, as other parts of the controller see it (task
 * dispatch pushes assignments through it).
 *
 * <p>Thread-safe: {@link #send} may be called from any thread and never blocks.
 */
public interface AgentSession {

    /** The host this session belongs to. */
    String hostId();

    /** When this member accepted the session, milliseconds since the epoch. */
    long connectedSinceMs();

    /**
     * Queues a message for the agent, honouring gRPC flow control: it is written at once while
     * the stream is ready, else it waits in a bounded per-session queue drained when the agent
     * reads again.
     *
     * @return false when the session is closed or its queue is full (the caller keeps the message
     *         and retries later, e.g. when the host reconnects)
     */
    boolean send(ControllerMessage message);

    /**
     * What the agent said it can do in its Hello ({@code Hello.capabilities}: its task executors and
     * features); empty when it said nothing (an older agent), which dispatch treats as "unknown".
     */
    default java.util.Set<String> capabilities() {
        return java.util.Set.of();
    }

    /** Whether the session is still open. */
    boolean isOpen();

    /**
     * Ends the session with a final status (e.g. PERMISSION_DENIED for a decommissioned host); the
     * host is recorded offline. Does nothing when the session is already closed.
     */
    void end(Status status, String reason);
}
