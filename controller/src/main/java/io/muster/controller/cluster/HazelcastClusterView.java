package io.muster.controller.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.partition.Partition;
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
 * <p>Once the member has left, it reports no members and no sessions. Non-blocking: {@link #connectedTo} is one asynchronous entry-processor call;
 * the rest reads local state.
 */
public final class HazelcastClusterView implements ClusterView {

    private final Vertx vertx;
    private final ClusterMember member;
    private final Ownership ownership;
    private final SessionDirectory directory;
    private final LongSupplier localSessions;

    /** @param localSessions the number of agent sessions this member holds (read live) */
    public HazelcastClusterView(Vertx vertx, ClusterMember member, Ownership ownership, SessionDirectory directory,
                                LongSupplier localSessions) {
        this.vertx = vertx;
        this.member = member;
        this.ownership = ownership;
        this.directory = directory;
        this.localSessions = localSessions;
    }

    @Override
    public Future<Map<String, String>> connectedTo(Collection<String> hostIds) {
        if (hostIds.isEmpty() || !member.isRunning()) {
            return Future.succeededFuture(Map.of());
        }
        try {
            return Future.fromCompletionStage(directory.connectedTo(hostIds), vertx.getOrCreateContext());
        } catch (HazelcastInstanceNotActiveException e) {
            return Future.succeededFuture(Map.of());
        }
    }

    @Override
    public Future<List<MemberView>> members() {
        if (!member.isRunning()) {
            return Future.succeededFuture(List.of());
        }
        try {
            Map<UUID, Integer> owned = new HashMap<>();
            for (Partition partition : member.instance().getPartitionService().getPartitions()) {
                Member owner = partition.getOwner();
                if (owner != null) {
                    owned.merge(owner.getUuid(), 1, Integer::sum);
                }
            }
            List<MemberView> members = new ArrayList<>();
            for (Member each : member.instance().getCluster().getMembers()) {
                String id = MemberAttributes.memberId(each);
                long agents = each.localMember()
                        ? localSessions.getAsLong()
                        : directory.loadOf(id);
                members.add(new MemberView(id, MemberAttributes.address(each), MemberAttributes.grpc(each),
                        MemberAttributes.http(each), owned.getOrDefault(each.getUuid(), 0), agents,
                        each.localMember()));
            }
            return Future.succeededFuture(members);
        } catch (HazelcastInstanceNotActiveException e) {
            return Future.succeededFuture(List.of());
        }
    }

    @Override
    public boolean ready() {
        return ownership.ready();
    }
}
