package io.muster.controller.cluster;

import java.util.Objects;

/**
 * Where a host's agent session lives: the value of the cluster-wide sessions map (key: host id).
 * Small on purpose; it is written once per connect and removed once per disconnect.
 *
 * @param memberId          id of the member holding the session
 * @param connectedSinceMs  when the member accepted the session, milliseconds since the epoch;
 *                          together with the member id it identifies one session, so a member only
 *                          ever removes the entry of its own session, never a newer one
 */
public record SessionEntry(String memberId, long connectedSinceMs) {

    public SessionEntry {
        Objects.requireNonNull(memberId, "memberId");
    }
}
