package io.muster.controller.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent sessions this member holds, at most one per host. Thread-safe; all methods are
 * non-blocking.
 */
public final class SessionRegistry {

    private final ConcurrentHashMap<String, AgentStream> sessions = new ConcurrentHashMap<>();

    /** The open (or being welcomed) session of a host on this member. */
    public Optional<AgentSession> find(String hostId) {
        return Optional.ofNullable(sessions.get(hostId));
    }

    /** Number of sessions held. */
    public int size() {
        return sessions.size();
    }

    /** A snapshot of the host ids held. */
    public List<String> hostIds() {
        return new ArrayList<>(sessions.keySet());
    }

    AgentStream get(String hostId) {
        return sessions.get(hostId);
    }

    List<AgentStream> streams() {
        return new ArrayList<>(sessions.values());
    }

    /** Holds {@code stream} for its host; returns the older session it displaced, if any. */
    AgentStream put(String hostId, AgentStream stream) {
        AgentStream older = sessions.put(hostId, stream);
        return older == stream ? null : older;
    }

    /** Forgets {@code stream} if it is still the host's session. */
    boolean remove(String hostId, AgentStream stream) {
        return sessions.remove(hostId, stream);
    }
}
