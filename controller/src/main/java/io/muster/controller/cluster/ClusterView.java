package io.muster.controller.cluster;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What the HTTP API needs to know about the controller cluster: where hosts are connected and
 * which members exist. Implemented over Hazelcast by the cluster package.
 *
 * <p>Threading: called on Vert.x event-loop threads, so implementations must not block; the
 * futures may complete on any thread. {@link #ready()} must answer immediately from local state.
 */
public interface ClusterView {

    /**
     * The member each of the given hosts holds a live session with. Hosts without a session are
     * absent from the map. The answer may lag a hand-over by a moment.
     */
    Future<Map<String, String>> connectedTo(Collection<String> hostIds);

    /** Every current member, this one included (flagged {@link MemberView#local()}). */
    Future<List<MemberView>> members();

    /** True when this member has joined its cluster and may serve agents. */
    boolean ready();
}
