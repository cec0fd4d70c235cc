package io.muster.controller.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The ownership rules for agent sessions, as pure decisions. The gateway and the seeded
 * cluster simulation test both call these functions, so what the simulation proves is what
 * the gateway does.
 *
 * <p>The invariant the rules keep: a member holds a session for a host only while its own
 * partition table says it owns the host, a member holds at most one session per host, and a
 * member only ever removes its own entry from the shared sessions map. Together with Hazelcast
 * giving every partition exactly one owner, two members never both hold a live session for one
 * host beyond the moment of hand-over.
 *
 * <p>Stateless and thread-safe.
 */
public final class SessionRules {

    private SessionRules() {
    }

    /** What a member does with a Hello. */
    public enum Verdict {
        /** This member owns the host: accept, replacing any older local session of the host. */
        ACCEPT,
        /** Another member owns the host: Redirect there and close. */
        REDIRECT,
        /** The partition table is not known yet (member starting): refuse, the agent retries. */
        NOT_READY,
        /** This member is leaving and owns the host until its partitions have moved: refuse. */
        SHUTTING_DOWN
    }

    /**
     * @param verdict        what to do
     * @param ownerMemberId  the owner when the verdict is REDIRECT or ACCEPT, else null
     */
    public record HelloDecision(Verdict verdict, String ownerMemberId) {
    }

    /**
     * Decides a Hello.
     *
     * @param self     this member's id
     * @param owner    the host's owner per this member's partition table; null when unknown
     * @param closing  whether this member is shutting down
     */
    public static HelloDecision onHello(String self, String owner, boolean closing) {
        Objects.requireNonNull(self, "self");
        if (owner == null) {
            return new HelloDecision(closing ? Verdict.SHUTTING_DOWN : Verdict.NOT_READY, null);
        }
        if (!owner.equals(self)) {
            return new HelloDecision(Verdict.REDIRECT, owner);
        }
        return new HelloDecision(closing ? Verdict.SHUTTING_DOWN : Verdict.ACCEPT, owner);
    }

    /** Why a session ended. */
    public enum EndCause {
        /** The stream failed, the agent closed it, or the agent fell silent. */
        LOST,
        /** A newer session of the same host was accepted by this member. */
        REPLACED,
        /** The member redirected the agent to the host's new owner (migration or shutdown). */
        HANDED_OVER,
        /** The member was killed; nothing it would do on a normal end happens. */
        HALTED
    }

    /**
     * What a member does when one of its sessions ends.
     *
     * @param releaseEntry          remove the host's sessions-map entry if it is still this session's
     * @param offlineWhenReleased   record the host offline, but only when the release removed the
     *                              entry: if another member already put its own entry, the host is
     *                              connected there and must not be shown offline
     */
    public record EndActions(boolean releaseEntry, boolean offlineWhenReleased) {
    }

    public static EndActions onSessionEnd(EndCause cause) {
        return switch (cause) {
            case LOST -> new EndActions(true, true);
            // A replaced session still releases its own entry: the newer session's claim may be
            // refused (the host moved on meanwhile), and the old entry must not outlive both.
            case HANDED_OVER, REPLACED -> new EndActions(true, false);
            case HALTED -> new EndActions(false, false);
        };
    }

    /**
     * Whether a member may remove the sessions-map entry {@code current} on behalf of its ended
     * session {@code mine}: only when it is exactly that session's entry, never a newer one.
     */
    public static boolean mayRelease(SessionEntry current, SessionEntry mine) {
        return current != null && current.equals(mine);
    }

    /**
     * Whether {@code claim} may be written as the host's sessions-map entry over {@code current}.
     * Decided where the entry lives, i.e. on the member that owns the host right now: only that
     * member's claims count (a claim that arrives after the partition moved is stale), and a
     * member's older session never overwrites its own newer one.
     *
     * @param partitionOwner the member owning the host's partition when the claim is applied
     */
    public static boolean mayClaim(String partitionOwner, SessionEntry current, SessionEntry claim) {
        if (!claim.memberId().equals(partitionOwner)) {
            return false;
        }
        return current == null || !current.memberId().equals(claim.memberId())
                || current.connectedSinceMs() <= claim.connectedSinceMs();
    }

    /**
     * Whether a member that released its session's entry may record the host offline: only while
     * it still owns the host. Once the host belongs to another member, that member tracks its
     * liveness (it may have accepted the host already, and its record must not be overwritten).
     *
     * @param partitionOwner the member owning the host's partition when the release is applied
     */
    public static boolean mayRecordOffline(String partitionOwner, String releaser) {
        return releaser.equals(partitionOwner);
    }

    /**
     * Whether a member's anti-entropy pass must write the entry of a session it holds and owns:
     * whenever the map does not name exactly that session (missing after a split-brain merge kept
     * the other side's map, another member's leftover, or an older session of its own). The write
     * itself still goes through {@link #mayClaim}.
     */
    public static boolean needsReclaim(SessionEntry current, SessionEntry held) {
        return !held.equals(current);
    }

    /**
     * Whether {@code current} is an entry of {@code self} for a host it holds no session of, which
     * {@code self} removes: a merge brought back an entry of a session that ended during the split,
     * or a re-claim landed just after the session's own release.
     */
    public static boolean isOrphaned(String self, SessionEntry current, boolean holdsHost) {
        return current != null && current.memberId().equals(self) && !holdsHost;
    }

    /** Whether a sessions-map entry belongs to a member that has left the cluster. */
    public static boolean isStale(SessionEntry entry, Set<String> departedMembers) {
        return entry != null && departedMembers.contains(entry.memberId());
    }

    /**
     * The hosts among those this member holds sessions for that now belong to another member,
     * in the order given. A host whose owner is unknown (null) stays: it is re-checked later.
     *
     * @param ownerOf owner member id of a host per this member's current partition table
     */
    public static List<String> toHandOver(String self, Collection<String> heldHostIds,
                                          Function<String, String> ownerOf) {
        List<String> moved = new ArrayList<>();
        for (String hostId : heldHostIds) {
            String owner = ownerOf.apply(hostId);
            if (owner != null && !owner.equals(self)) {
                moved.add(hostId);
            }
        }
        return moved;
    }
}
