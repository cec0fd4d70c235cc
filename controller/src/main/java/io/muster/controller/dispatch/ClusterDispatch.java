package io.muster.controller.dispatch;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.IExecutorService;
import io.muster.controller.cluster.MemberAttributes;
import io.muster.controller.cluster.Ownership;
import io.muster.controller.task.RunDispatch;
import io.muster.controller.task.RunRef;
import io.muster.controller.task.TaskHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting member's half of dispatch: groups runs by the member that owns their host
 * ({@link Ownership}) and hands each member its share in ONE message.
 *
 * <p>Why an executor call and not a topic or queue: a share is meant for exactly one member
 * and is worthless once that member is gone (its hosts reconnect elsewhere and load their open runs
 * from PostgreSQL), so a point-to-point {@code IExecutorService.submitToMember} is the right
 * weight: no fan-out to every member as with an ITopic, nothing stored and replicated as with an
 * IQueue. The share for this member itself does not touch Hazelcast at all.
 *
 * <p>Thread-safe; never blocks (the executor calls complete asynchronously).
 */
public final class ClusterDispatch implements RunDispatch {

    private static final Logger log = LoggerFactory.getLogger(ClusterDispatch.class);

    static final String EXECUTOR = "muster.dispatch";

    private final HazelcastInstance hazelcast;
    private final Ownership ownership;
    private final LocalDelivery local;
    private final IExecutorService executor;

    public ClusterDispatch(HazelcastInstance hazelcast, Ownership ownership, LocalDelivery local) {
        this.hazelcast = hazelcast;
        this.ownership = ownership;
        this.local = local;
        this.executor = hazelcast.getExecutorService(EXECUTOR);
        hazelcast.getUserContext().put(MemberShare.DELIVERY_KEY, local);
        local.forwardVia(this);
    }

    @Override
    public void assign(TaskHeader task, List<RunRef> runs) {
        assign(task, runs, 0);
    }

    @Override
    public void cancel(List<RunRef> runs, String reason) {
        cancel(runs, reason, 0);
    }

    /** @param hops how many members already passed these runs on (bounds forwarding while ownership moves) */
    void assign(TaskHeader task, List<RunRef> runs, int hops) {
        route(runs, bundle -> MemberShare.assign(task, bundle, hops), localRuns -> local.assign(task, localRuns, hops));
    }

    void cancel(List<RunRef> runs, String reason, int hops) {
        route(runs, bundle -> MemberShare.cancel(reason, bundle, hops), localRuns -> local.cancel(localRuns, reason, hops));
    }

    private void route(List<RunRef> runs, Function<RunBundle, MemberShare> share, Consumer<List<RunRef>> deliverHere) {
        Map<String, List<RunRef>> byOwner = new HashMap<>();
        List<RunRef> here = new ArrayList<>();
        for (RunRef run : runs) {
            var owner = ownership.ownerOf(run.hostId());
            if (owner.isEmpty()) {
                // No partition table (member shutting down): the host gets the run when it reconnects.
                continue;
            }
            if (owner.get().local()) {
                here.add(run);
            } else {
                byOwner.computeIfAbsent(owner.get().memberId(), id -> new ArrayList<>()).add(run);
            }
        }
        if (!byOwner.isEmpty()) {
            Map<String, Member> members = members();
            byOwner.forEach((memberId, memberRuns) -> {
                Member member = members.get(memberId);
                if (member == null) {
                    return;
                }
                MemberShare message = share.apply(new RunBundle(memberRuns));
                executor.submitToMember(message, member, new ExecutionCallback<Integer>() {
                    @Override
                    public void onResponse(Integer pushed) {
                        log.debug("member {} pushed {} of {} runs", memberId, pushed, memberRuns.size());
                    }

                    @Override
                    public void onFailure(Throwable error) {
                        // The member left (or is leaving): its hosts reconnect to new owners and load their runs.
                        log.info("share of {} runs for member {} not delivered ({}); the hosts get them on reconnect",
                                memberRuns.size(), memberId, error.toString());
                    }
                });
            });
        }
        if (!here.isEmpty()) {
            deliverHere.accept(here);
        }
    }

    private Map<String, Member> members() {
        Map<String, Member> members = new HashMap<>();
        for (Member member : hazelcast.getCluster().getMembers()) {
            members.put(MemberAttributes.memberId(member), member);
        }
        return members;
    }
}
