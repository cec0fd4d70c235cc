package io.muster.controller.dispatch;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent streams open on this member, by host id. A host has at most one: a newer session
 * replaces the older one, and closing an old session never removes its successor.
 *
 * <p>Thread-safe; lock-free reads.
 */
public final class ConnectedAgents {

    private final ConcurrentHashMap<String, AgentLink> links = new ConcurrentHashMap<>();

    void put(AgentLink link) {
        links.put(link.hostId(), link);
    }

    /** Removes the link only if it is still the host's current one. */
    boolean remove(AgentLink link) {
        return links.remove(link.hostId(), link);
    }

    public Optional<AgentLink> get(String hostId) {
        return Optional.ofNullable(links.get(hostId));
    }

    /** Snapshot of the host ids with a stream here. */
    public List<String> hostIds() {
        return List.copyOf(links.keySet());
    }

    public int size() {
        return links.size();
    }
}
