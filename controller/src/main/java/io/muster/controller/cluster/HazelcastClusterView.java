package io.muster.controller.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.partition.Partition;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.cluster.MemberView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * {@link ClusterView} over Hazelcast: sessions from the sessions map, members from the cluster
 * membership, partition counts from the local partition table, connected agents from the counts
 * each member publishes (this member's own count is read live).
 *
 * <p>Before {@link #attach} (the member has not joined yet) it reports no members, no sessions,
 * and not ready. Non-blocking: {@link #connectedTo} is one asynchronous entry-processor call;
 * the rest reads local state.
 */
public final class HazelcastClusterView implements ClusterView {

    private record Joined(ClusterMember member, Ownership ownership, SessionDirectory directory,
                          LongSupplier localSessions) {
    }

    private final Vertx vertx;
    private volatile Joined joined;

    public HazelcastClusterView(Vertx vertx) {
        this.vertx = vertx;
    }

    /** The member has joined: answer from the cluster from now on. */
    public void attach(ClusterMember member, Ownership ownership, SessionDirectory directory,
                       LongSupplier localSessions) {
        this.joined = new Joined(member, ownership, directory, localSessions);
    }

    @Override
    public Future<Map<String, String>> connectedTo(Collection<String> hostIds) {
        Joined current = joined;
        if (current == null || hostIds.isEmpty() || !current.member().isRunning()) {
            return Future.succeededFuture(Map.of());
        }
        try {
            return Future.fromCompletionStage(current.directory().connectedTo(hostIds), vertx.getOrCreateContext());
        } catch (HazelcastInstanceNotActiveException e) {
            return Future.succeededFuture(Map.of());
        }
    }

    @Override
    public Future<List<MemberView>> members() {
        Joined current = joined;
        if (current == null || !current.member().isRunning()) {
            return Future.succeededFuture(List.of());
        }
        try {
            Map<UUID, Integer> owned = new HashMap<>();
            for (Partition partition : current.member().instance().getPartitionService().getPartitions()) {
                Member owner = partition.getOwner();
                if (owner != null) {
                    owned.merge(owner.getUuid(), 1, Integer::sum);
                }
            }
            List<MemberView> members = new ArrayList<>();
            for (Member member : current.member().instance().getCluster().getMembers()) {
                String id = MemberAttributes.memberId(member);
                long agents = member.localMember()
                        ? current.localSessions().getAsLong()
                        : current.directory().loadOf(id);
                members.add(new MemberView(id, MemberAttributes.address(member), MemberAttributes.grpc(member),
                        MemberAttributes.http(member), owned.getOrDefault(member.getUuid(), 0), agents,
                        member.localMember()));
            }
            return Future.succeededFuture(members);
        } catch (HazelcastInstanceNotActiveException e) {
            return Future.succeededFuture(List.of());
        }
    }

    @Override
    public boolean ready() {
        Joined current = joined;
        return current != null && current.ownership().ready();
    }
}
