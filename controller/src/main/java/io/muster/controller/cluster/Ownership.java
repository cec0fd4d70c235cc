package io.muster.controller.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.Partition;
import com.hazelcast.partition.PartitionService;
import com.hazelcast.partition.ReplicaMigrationEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which member owns a host: the owner of the Hazelcast partition of the host id. One rule for
 * everything keyed by host.
 *
 * <p>Lookups read this member's copy of the partition table (no remote call) and are safe from
 * any thread, including gRPC and Vert.x event-loop threads. Change listeners run on Hazelcast
 * event threads and must return quickly.
 */
public final class Ownership {

    /**
     * The owner of a host.
     *
     * @param memberId     owner's member id
     * @param grpcAddress  owner's agent gateway address, "host:port"
     * @param local        whether the owner is this member
     */
    public record Owner(String memberId, String grpcAddress, boolean local) {
    }

    /**
     * When this member saw a member leave and when, after that, every partition had a live owner
     * again (so every host had an owner agents can be sent to). Wall-clock times of this member.
     *
     * @param departedId member id of the member that left
     * @param seenLeftAt when this member learned that it left (the failure detector's verdict)
     * @param reownedAt  when every partition first had a live owner again; null while not yet
     */
    public record Takeover(String departedId, Instant seenLeftAt, Instant reownedAt) {
    }

    /** Why ownership may have changed. */
    public enum Change { MIGRATION, MEMBER_ADDED, MEMBER_REMOVED }

    private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);

    private final HazelcastInstance hz;
    private final Clock clock;
    private final AtomicReference<Takeover> lastTakeover = new AtomicReference<>();
    private final CopyOnWriteArrayList<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<String>> departureListeners = new CopyOnWriteArrayList<>();

    public Ownership(HazelcastInstance hz) {
        this(hz, Clock.systemUTC());
    }

    public Ownership(HazelcastInstance hz, Clock clock) {
        this.hz = hz;
        this.clock = clock;
        hz.getPartitionService().addMigrationListener(new Migrations());
        hz.getCluster().addMembershipListener(new Memberships());
    }

    /** The owner of {@code hostId}, empty while the partition table is not known (or the member is down). */
    public Optional<Owner> ownerOf(String hostId) {
        try {
            Partition partition = hz.getPartitionService().getPartition(hostId);
            Member owner = partition.getOwner();
            if (owner == null) {
                return Optional.empty();
            }
            return Optional.of(new Owner(MemberAttributes.memberId(owner), MemberAttributes.grpc(owner),
                    owner.localMember()));
        } catch (HazelcastInstanceNotActiveException e) {
            return Optional.empty();
        }
    }

    /** Owner member id of {@code hostId}, or null while unknown. */
    public String ownerIdOf(String hostId) {
        return ownerOf(hostId).map(Owner::memberId).orElse(null);
    }

    public boolean isLocal(String hostId) {
        return ownerOf(hostId).map(Owner::local).orElse(false);
    }

    public Optional<String> ownerGrpcAddress(String hostId) {
        return ownerOf(hostId).map(Owner::grpcAddress);
    }

    /**
     * Whether this member has joined and every partition has an owner. Forces the first
     * partition arrangement if nothing has touched the partition table yet.
     */
    public boolean ready() {
        try {
            if (!hz.getLifecycleService().isRunning()) {
                return false;
            }
            PartitionService partitions = hz.getPartitionService();
            for (Partition partition : partitions.getPartitions()) {
                if (partition.getOwner() == null) {
                    return false;
                }
            }
            return true;
        } catch (HazelcastInstanceNotActiveException e) {
            return false;
        }
    }

    /** Whether no partition is migrating right now (every backup in sync); false when down. */
    public boolean settled() {
        try {
            return hz.getLifecycleService().isRunning() && hz.getPartitionService().isClusterSafe();
        } catch (HazelcastInstanceNotActiveException e) {
            return false;
        }
    }

    /** Called after each migration round and member change; the listener re-checks what it holds. */
    public void onChange(Consumer<Change> listener) {
        listeners.add(listener);
    }

    /** Called with the member id of each member that leaves the cluster (gracefully or not). */
    public void onDeparture(Consumer<String> listener) {
        departureListeners.add(listener);
    }

    /** The latest member departure this member saw, empty if none since it started. */
    public Optional<Takeover> lastTakeover() {
        return Optional.ofNullable(lastTakeover.get());
    }

    private void departed(String memberId) {
        Instant now = clock.instant();
        lastTakeover.set(new Takeover(memberId, now, null));
        // Epoch millis in the message so that the bench can split a failover without parsing the log pattern.
        LOG.info("member {} left the cluster; seen at epochMillis={}", memberId, now.toEpochMilli());
        checkReowned();
    }

    /** Called after each ownership change: records the first moment a departure is fully taken over. */
    private void checkReowned() {
        Takeover pending = lastTakeover.get();
        if (pending == null || pending.reownedAt() != null || !ready()) {
            return;
        }
        Instant now = clock.instant();
        if (lastTakeover.compareAndSet(pending, new Takeover(pending.departedId(), pending.seenLeftAt(), now))) {
            LOG.info("partitions of member {} re-owned; at epochMillis={} ({} ms after its departure was seen)",
                    pending.departedId(), now.toEpochMilli(), now.toEpochMilli() - pending.seenLeftAt().toEpochMilli());
        }
    }

    private void fire(Change change) {
        if (change != Change.MEMBER_ADDED) {
            checkReowned();
        }
        for (Consumer<Change> listener : listeners) {
            listener.accept(change);
        }
    }

    private final class Migrations implements MigrationListener {
        @Override
        public void migrationStarted(MigrationState state) {
        }

        @Override
        public void migrationFinished(MigrationState state) {
            fire(Change.MIGRATION);
        }

        @Override
        public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
            // Only owner moves matter (replica index 0); backups moving does not change ownership.
            if (event.getReplicaIndex() == 0) {
                fire(Change.MIGRATION);
            }
        }

        @Override
        public void replicaMigrationFailed(ReplicaMigrationEvent event) {
        }
    }

    private final class Memberships implements MembershipListener {
        @Override
        public void memberAdded(MembershipEvent event) {
            fire(Change.MEMBER_ADDED);
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            String departed = MemberAttributes.memberId(event.getMember());
            departed(departed);
            for (Consumer<String> listener : departureListeners) {
                listener.accept(departed);
            }
            fire(Change.MEMBER_REMOVED);
        }
    }
}
