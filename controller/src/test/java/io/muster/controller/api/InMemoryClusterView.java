package io.muster.controller.api;

import io.muster.controller.cluster.ClusterView;
import io.muster.controller.cluster.MemberView;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The cluster at the module seam, held in memory: stands for Hazelcast in API tests. */
final class InMemoryClusterView implements ClusterView {

    final Map<String, String> sessions = new ConcurrentHashMap<>();
    final List<MemberView> members = new CopyOnWriteArrayList<>();
    volatile boolean ready = true;

    @Override
    public Future<Map<String, String>> connectedTo(Collection<String> hostIds) {
        Map<String, String> found = new HashMap<>();
        hostIds.forEach(id -> {
            String member = sessions.get(id);
            if (member != null) {
                found.put(id, member);
            }
        });
        return Future.succeededFuture(found);
    }

    @Override
    public Future<List<MemberView>> members() {
        return Future.succeededFuture(List.copyOf(members));
    }

    @Override
    public boolean ready() {
        return ready;
    }
}
