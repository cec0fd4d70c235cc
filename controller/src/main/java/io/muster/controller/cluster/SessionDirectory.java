package io.muster.controller.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.replicatedmap.ReplicatedMap;
import java.io.Serializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The cluster-wide record of where each host's session lives (Hazelcast IMap host id ->
 * {@link SessionEntry}), and each member's published count of local sessions.
 *
 * <p>Asynchronous methods never block the caller; their stages complete on Hazelcast threads.
 * Methods documented as blocking must run on a thread that may block (never a gRPC or Vert.x
 * event-loop thread).
 */
public final class SessionDirectory {

    static final String LOAD_MAP = "muster.member-load";

    private final IMap<String, SessionEntry> sessions;
    private final ReplicatedMap<String, Long> load;

    public SessionDirectory(HazelcastInstance hz) {
        this.sessions = hz.getMap(ClusterMember.SESSIONS_MAP);
        this.load = hz.getReplicatedMap(LOAD_MAP);
    }

    /**
     * Records that {@code entry}'s member holds the host's session, if that member owns the host
     * when the write is applied ({@link SessionRules#mayClaim}); completes with whether it did.
     * So a claim delayed past a migration cannot bury the new owner's entry.
     */
    public CompletionStage<Boolean> claim(String hostId, SessionEntry entry) {
        try {
            return sessions.submitToKey(hostId, new ClaimIfOwner(entry.memberId(), entry.connectedSinceMs()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Removes the host's entry if it is still {@code mine} (see {@link SessionRules#mayRelease});
     * completes with true when it did and this member still owns the host, i.e. may record the
     * host offline ({@link SessionRules#mayRecordOffline}).
     */
    public CompletionStage<Boolean> release(String hostId, SessionEntry mine) {
        try {
            return sessions.submitToKey(hostId, new ReleaseIfHeld(mine.memberId(), mine.connectedSinceMs()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Member id holding each of the given hosts' sessions; hosts without a session are absent. */
    public CompletionStage<Map<String, String>> connectedTo(Collection<String> hostIds) {
        if (hostIds.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return sessions.submitToKeys(new HashSet<>(hostIds), new ReadMemberId()).thenApply(result -> {
            Map<String, String> clean = new HashMap<>();
            result.forEach((host, member) -> {
                if (member != null) {
                    clean.put(host, member);
                }
            });
            return clean;
        });
    }

    /** The entries of the given hosts; hosts without an entry are absent. Reads only the values' owners. */
    public CompletionStage<Map<String, SessionEntry>> entries(Collection<String> hostIds) {
        if (hostIds.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        try {
            return sessions.submitToKeys(new HashSet<>(hostIds), new ReadEntry()).thenApply(result -> {
                Map<String, SessionEntry> clean = new HashMap<>();
                result.forEach((host, entry) -> {
                    if (entry != null) {
                        clean.put(host, entry);
                    }
                });
                return clean;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Every entry naming {@code memberId}. Blocking (a query over the whole map). */
    public Map<String, SessionEntry> entriesOf(String memberId) {
        Map<String, SessionEntry> found = new HashMap<>();
        for (Map.Entry<String, SessionEntry> entry
                : sessions.entrySet(Predicates.equal(SessionEntrySerializer.MEMBER_ID, memberId))) {
            found.put(entry.getKey(), entry.getValue());
        }
        return found;
    }

    /**
     * Removes the host's entry if it is still exactly {@code orphan} ({@link SessionRules#mayRelease});
     * completes with whether it did. Unlike {@link #release} it never leads to an offline record:
     * the caller holds no session of the host, so the host's liveness is not its to decide.
     */
    public CompletionStage<Boolean> removeOrphan(String hostId, SessionEntry orphan) {
        try {
            return sessions.submitToKey(hostId, new RemoveIfSame(orphan.memberId(), orphan.connectedSinceMs()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Removes every entry of a member that left the cluster. Blocking. */
    public void purgeDeparted(String memberId) {
        sessions.removeAll(Predicates.equal(SessionEntrySerializer.MEMBER_ID, memberId));
        load.remove(memberId);
    }

    /** Every entry of the map. Blocking; meant for tools and tests (it reads the whole map). */
    public Map<String, SessionEntry> snapshot() {
        return new HashMap<>(sessions);
    }

    /** Publishes this member's count of local sessions (read by every member's cluster view). */
    public void publishLoad(String memberId, long localSessions) {
        load.put(memberId, localSessions);
    }

    /** The last count a member published, 0 when it published none. Local read, non-blocking. */
    public long loadOf(String memberId) {
        Long value = load.get(memberId);
        return value == null ? 0 : value;
    }

    /** Writes a claim on the key's owner when the rules allow it; the backup copies the result. */
    static final class ClaimIfOwner implements EntryProcessor<String, SessionEntry, Boolean>, HazelcastInstanceAware,
            Serializable {
        private static final long serialVersionUID = 1L;
        private final String memberId;
        private final long connectedSinceMs;
        private transient HazelcastInstance local;

        ClaimIfOwner(String memberId, long connectedSinceMs) {
            this.memberId = memberId;
            this.connectedSinceMs = connectedSinceMs;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance instance) {
            this.local = instance;
        }

        @Override
        public Boolean process(Map.Entry<String, SessionEntry> entry) {
            // Entry processors run on the partition's owner: the local member owns the host now.
            String owner = MemberAttributes.memberId(local.getCluster().getLocalMember());
            SessionEntry claim = new SessionEntry(memberId, connectedSinceMs);
            if (!SessionRules.mayClaim(owner, entry.getValue(), claim)) {
                return false;
            }
            entry.setValue(claim);
            return true;
        }

        @Override
        public EntryProcessor<String, SessionEntry, Boolean> getBackupProcessor() {
            return new CopyClaim(memberId, connectedSinceMs);
        }
    }

    /** On backups (only sent when the owner wrote): the owner's decision, applied as is. */
    static final class CopyClaim implements EntryProcessor<String, SessionEntry, Boolean>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String memberId;
        private final long connectedSinceMs;

        CopyClaim(String memberId, long connectedSinceMs) {
            this.memberId = memberId;
            this.connectedSinceMs = connectedSinceMs;
        }

        @Override
        public Boolean process(Map.Entry<String, SessionEntry> entry) {
            entry.setValue(new SessionEntry(memberId, connectedSinceMs));
            return true;
        }
    }

    /**
     * Removes the entry when it is the given session's (runs on the key's owner); answers whether
     * the releaser may record the host offline ({@link SessionRules#mayRecordOffline}).
     */
    static final class ReleaseIfHeld implements EntryProcessor<String, SessionEntry, Boolean>, HazelcastInstanceAware,
            Serializable {
        private static final long serialVersionUID = 1L;
        private final String memberId;
        private final long connectedSinceMs;
        private transient HazelcastInstance local;

        ReleaseIfHeld(String memberId, long connectedSinceMs) {
            this.memberId = memberId;
            this.connectedSinceMs = connectedSinceMs;
        }

        @Override
        public void setHazelcastInstance(HazelcastInstance instance) {
            this.local = instance;
        }

        @Override
        public Boolean process(Map.Entry<String, SessionEntry> entry) {
            if (!SessionRules.mayRelease(entry.getValue(), new SessionEntry(memberId, connectedSinceMs))) {
                return false;
            }
            entry.setValue(null);
            return SessionRules.mayRecordOffline(MemberAttributes.memberId(local.getCluster().getLocalMember()), memberId);
        }
    }

    /** Removes the entry when it is exactly the given one; answers whether it did. */
    static final class RemoveIfSame implements EntryProcessor<String, SessionEntry, Boolean>, Serializable {
        private static final long serialVersionUID = 1L;
        private final String memberId;
        private final long connectedSinceMs;

        RemoveIfSame(String memberId, long connectedSinceMs) {
            this.memberId = memberId;
            this.connectedSinceMs = connectedSinceMs;
        }

        @Override
        public Boolean process(Map.Entry<String, SessionEntry> entry) {
            if (!SessionRules.mayRelease(entry.getValue(), new SessionEntry(memberId, connectedSinceMs))) {
                return false;
            }
            entry.setValue(null);
            return true;
        }
    }

    /** Reads an entry (on the key's owner; nothing is written). */
    static final class ReadEntry implements EntryProcessor<String, SessionEntry, SessionEntry>, ReadOnly, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public SessionEntry process(Map.Entry<String, SessionEntry> entry) {
            return entry.getValue();
        }

        @Override
        public EntryProcessor<String, SessionEntry, SessionEntry> getBackupProcessor() {
            return null;
        }
    }

    /** Reads the member id of an entry without moving the value over the network. */
    static final class ReadMemberId implements EntryProcessor<String, SessionEntry, String>, ReadOnly, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public String process(Map.Entry<String, SessionEntry> entry) {
            SessionEntry value = entry.getValue();
            return value == null ? null : value.memberId();
        }

        @Override
        public EntryProcessor<String, SessionEntry, String> getBackupProcessor() {
            return null;
        }
    }
}
