package io.muster.controller.dispatch;

import io.muster.controller.cluster.Ownership;
import io.muster.controller.task.OpenRun;
import io.muster.controller.task.RunRef;
import io.muster.controller.task.TaskHeader;
import io.muster.proto.v1.ControllerMessage;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's half of dispatch: pushes assignments and cancels to the agent streams open on this
 * member.
 *
 * <p>For each run: if its host's stream is here, the message is queued on it; if the host is
 * owned elsewhere now (ownership moved while the share was on its way), the run is forwarded to
 * the current owner, at most {@link #MAX_HOPS} times; otherwise the host is offline and gets the
 * run when it connects ({@link OpenRunLoader}). A stream whose queue is full is retried a few
 * times, then left to the reconnect path.
 *
 * <p>Thread-safe; never blocks (called on Hazelcast executor threads, gRPC and Vert.x threads).
 */
public final class LocalDelivery {

    private static final Logger log = LoggerFactory.getLogger(LocalDelivery.class);

    static final int MAX_HOPS = 2;
    private static final long RETRY_DELAY_MS = 250;
    private static final int MAX_RETRIES = 40;

    private final Vertx vertx;
    private final ConnectedAgents agents;
    private final Ownership ownership;
    private volatile ClusterDispatch forwarder;

    private final Refusals refusals;

    /**
     * Runs a host cannot take because its agent lacks the kind's executor ({@link AgentLink#canRun}):
     * they end failed with the reason instead of waiting for a timeout.
     */
    @FunctionalInterface
    public interface Refusals {
        void refuse(List<UUID> runIds, String reason);
    }

    public LocalDelivery(Vertx vertx, ConnectedAgents agents, Ownership ownership, Refusals refusals) {
        this.vertx = vertx;
        this.agents = agents;
        this.ownership = ownership;
        this.refusals = refusals;
    }

    /** Where runs owned by another member go (set once at assembly; the cluster dispatcher). */
    void forwardVia(ClusterDispatch dispatch) {
        this.forwarder = dispatch;
    }

    /** @return runs pushed to a local stream */
    int assign(TaskHeader task, List<RunRef> runs, int hops) {
        Assignments messages = new Assignments(task);
        return push(runs, run -> messages.assignment(run.runId()), run -> task.kind(), hops, 0,
                misrouted -> forwarder.assign(task, misrouted, hops + 1));
    }

    int cancel(List<RunRef> runs, String reason, int hops) {
        return push(runs, run -> Assignments.cancel(run.runId(), reason), null, hops, 0,
                misrouted -> forwarder.cancel(misrouted, reason, hops + 1));
    }

    /**
     * Runs read from PostgreSQL for ids another member sent ({@link ShareReceiver}): each goes to
     * its recorded host as an assignment, or as a cancel when its task was cancelled.
     *
     * @return runs pushed to a local stream
     */
    int deliver(List<OpenRun> runs, int hops) {
        Map<UUID, ControllerMessage> messages = new HashMap<>();
        Map<UUID, String> kinds = new HashMap<>();
        List<RunRef> refs = new ArrayList<>(runs.size());
        TaskHeader current = null;
        Assignments assignments = null;
        for (OpenRun open : runs) {
            UUID runId = open.run().runId();
            if (open.cancelled()) {
                messages.put(runId, Assignments.cancel(runId, "task cancelled"));
            } else {
                if (!open.task().equals(current)) {
                    current = open.task();
                    assignments = new Assignments(current);
                }
                messages.put(runId, assignments.assignment(runId));
                kinds.put(runId, open.task().kind());
            }
            refs.add(open.run());
        }
        return push(refs, run -> messages.get(run.runId()), run -> kinds.get(run.runId()), hops, 0,
                misrouted -> forwarder.forward(misrouted, hops + 1));
    }

    /** A host just connected here: send what it must do (loaded from PostgreSQL). */
    void reopen(AgentLink link, List<OpenRun> runs) {
        TaskHeader current = null;
        Assignments messages = null;
        for (OpenRun open : runs) {
            if (open.cancelled()) {
                link.send(Assignments.cancel(open.run().runId(), "task cancelled"));
                continue;
            }
            if (!link.canRun(open.task().kind())) {
                refuse(link, open.task().kind(), List.of(open.run()));
                continue;
            }
            if (!open.task().equals(current)) {
                current = open.task();
                messages = new Assignments(current);
            }
            if (!link.send(messages.assignment(open.run().runId()))) {
                Assignments retryWith = messages;
                retry(List.of(open.run()), run -> retryWith.assignment(run.runId()), 1);
            }
        }
    }

    /** @param kindOf the task kind of an assignment (checked against the agent's executors); null for cancels */
    private int push(List<RunRef> runs, Function<RunRef, ControllerMessage> message, Function<RunRef, String> kindOf,
                     int hops, int attempt, Consumer<List<RunRef>> forward) {
        int pushed = 0;
        List<RunRef> misrouted = new ArrayList<>();
        List<RunRef> blocked = new ArrayList<>();
        for (RunRef run : runs) {
            Optional<AgentLink> link = agents.get(run.hostId());
            if (link.isPresent() && kindOf != null && !link.get().canRun(kindOf.apply(run))) {
                refuse(link.get(), kindOf.apply(run), List.of(run));
            } else if (link.isPresent()) {
                if (link.get().send(message.apply(run))) {
                    pushed++;
                } else {
                    blocked.add(run);
                }
            } else if (!ownership.isLocal(run.hostId()) && hops < MAX_HOPS && forwarder != null) {
                misrouted.add(run);
            }
        }
        if (!misrouted.isEmpty()) {
            log.debug("forwarding {} runs whose hosts are owned elsewhere now", misrouted.size());
            forward.accept(misrouted);
        }
        if (!blocked.isEmpty()) {
            retry(blocked, message, attempt + 1);
        }
        return pushed;
    }

    private void refuse(AgentLink link, String kind, List<RunRef> runs) {
        List<UUID> ids = new ArrayList<>(runs.size());
        runs.forEach(run -> ids.add(run.runId()));
        String reason = "the agent of host " + link.hostId() + " has no '" + kind + "' executor (it reported "
                + link + "): it cannot run this task";
        log.info("{} run(s) refused: {}", ids.size(), reason);
        refusals.refuse(ids, reason);
    }

    private void retry(List<RunRef> runs, Function<RunRef, ControllerMessage> message,
                       int attempt) {
        if (attempt > MAX_RETRIES) {
            log.warn("{} runs not pushed: agent streams stayed full; they are sent again when the hosts reconnect",
                    runs.size());
            return;
        }
        vertx.setTimer(RETRY_DELAY_MS, id -> {
            List<RunRef> again = new ArrayList<>();
            for (RunRef run : runs) {
                Optional<AgentLink> link = agents.get(run.hostId());
                if (link.isPresent() && !link.get().send(message.apply(run))) {
                    again.add(run);
                }
            }
            if (!again.isEmpty()) {
                retry(again, message, attempt + 1);
            }
        });
    }
}
