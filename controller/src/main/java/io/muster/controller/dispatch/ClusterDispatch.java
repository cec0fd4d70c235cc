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
import io.muster.controller.task.TaskRepository;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
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
 * <p>A share names run ids only ({@link MemberShare}): the receiver reads what to push from
 * PostgreSQL, because anyone who reaches the Hazelcast port can send one.
 *
 * <p>Thread-safe; never blocks (the executor calls complete asynchronously).
 */
public final class ClusterDispatch implements RunDispatch {

    private static final Logger log = LoggerFactory.getLogger(ClusterDispatch.class);

    static final String EXECUTOR = "muster.dispatch";

    private final HazelcastInstance hazelcast;
    private final Ownership ownership;
    private final LocalDelivery local;
    private final ShareReceiver receiver;
    private final IExecutorService executor;

    public ClusterDispatch(HazelcastInstance hazelcast, Ownership ownership, LocalDelivery local, TaskRepository tasks) {
        this.hazelcast = hazelcast;
        this.ownership = ownership;
        this.local = local;
        this.receiver = new ShareReceiver(tasks, local);
        this.executor = hazelcast.getExecutorService(EXECUTOR);
        hazelcast.getUserContext().put(MemberShare.RECEIVER_KEY, receiver);
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
        route(runs, hops, localRuns -> local.assign(task, localRuns, hops));
    }

    void cancel(List<RunRef> runs, String reason, int hops) {
        route(runs, hops, localRuns -> local.cancel(localRuns, reason, hops));
    }

    /** Runs checked against PostgreSQL that turned out to be owned elsewhere: passed on by id again. */
    void forward(List<RunRef> runs, int hops) {
        route(runs, hops, localRuns -> receiver.receive(runIds(localRuns), hops));
    }

    private static List<UUID> runIds(List<RunRef> runs) {
        List<UUID> ids = new ArrayList<>(runs.size());
        for (RunRef run : runs) {
            ids.add(run.runId());
        }
        return ids;
    }

    /**
     * Runs of hosts owned here are delivered by {@code deliverHere} (in-process, with what the
     * caller holds); every other member gets the ids of its runs, in shares of at most
     * {@link ShareReceiver#MAX_RUNS}.
     */
    private void route(List<RunRef> runs, int hops, Consumer<List<RunRef>> deliverHere) {
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
                List<UUID> ids = runIds(memberRuns);
                for (int from = 0; from < ids.size(); from += ShareReceiver.MAX_RUNS) {
                    List<UUID> part = ids.subList(from, Math.min(ids.size(), from + ShareReceiver.MAX_RUNS));
                    send(memberId, member, new MemberShare(new RunBundle(part), hops));
                }
            });
        }
        if (!here.isEmpty()) {
            deliverHere.accept(here);
        }
    }

    private void send(String memberId, Member member, MemberShare share) {
        executor.submitToMember(share, member, new ExecutionCallback<Integer>() {
            @Override
            public void onResponse(Integer accepted) {
                log.debug("member {} took {} of {} run ids to check", memberId, accepted, share.size());
            }

            @Override
            public void onFailure(Throwable error) {
                // The member left (or is leaving): its hosts reconnect to new owners and load their runs.
                log.info("share of {} runs for member {} not delivered ({}); the hosts get them on reconnect",
                        share.size(), memberId, error.toString());
            }
        });
    }

    private Map<String, Member> members() {
        Map<String, Member> members = new HashMap<>();
        for (Member member : hazelcast.getCluster().getMembers()) {
            members.put(MemberAttributes.memberId(member), member);
        }
        return members;
    }
}
