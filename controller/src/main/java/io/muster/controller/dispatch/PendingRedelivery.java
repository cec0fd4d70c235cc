package io.muster.controller.dispatch;

import io.muster.controller.task.OpenRun;
import io.muster.controller.task.RunResultBatcher;
import io.muster.controller.task.TaskRepository;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's safety net for pushes that were lost while the host stayed connected (its stream
 * queue full for longer than the push retries, forwarding hops used up while ownership moved, the
 * member missing from the member list): every {@code interval} it loads, in ONE query for all the
 * hosts it holds a session for, the runs still pending longer than {@code interval} after their
 * creation, and pushes them again. Re-delivery is safe because the agent runs a run id at most
 * once; it ends when the agent reports the run started (or the sweeper ends it as never started).
 *
 * <p>Load is bounded, because pushing again is work for agents and a store that are already
 * behind (the 1-hour soak at 20,000 agents: 7,000-14,000 runs pushed again per 15 s across three
 * members, each wave followed by the agents' heartbeats arriving late and the members closing
 * thousands of sessions as silent): at most {@link #MAX_PER_SWEEP} runs per sweep; a sweep is
 * skipped while more than {@link #RESULTS_BEHIND} task updates wait to be written (then "pending
 * in PostgreSQL" mostly means "finished at the agent, result in the queue"); pushes go out
 * {@link #HOSTS_PER_TURN} hosts per event-loop turn, so a sweep does not hold the loop for seconds
 * (it held it 5.4 s in that soak).
 *
 * <p>Threading: a Vert.x timer; one sweep in flight at a time; never blocks.
 */
final class PendingRedelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PendingRedelivery.class);
    /** Task updates queued for writing above which a sweep is skipped: one full result batch. */
    static final int RESULTS_BEHIND = RunResultBatcher.DEFAULT_MAX_BATCH;
    static final int HOSTS_PER_TURN = 256;
    /**
     * A retry budget: at most this many runs pushed again per sweep (oldest first), whatever
     * the backlog. The sweep is a safety net for rare lost pushes (a connect and a joining member
     * load every open run anyway); pushing tens of thousands at once is load on agents and store
     * that are already behind.
     */
    static final int MAX_PER_SWEEP = 1_000;

    private final Vertx vertx;
    private final TaskRepository tasks;
    private final ConnectedAgents agents;
    private final LocalDelivery delivery;
    private final Duration after;
    private final IntSupplier resultsQueued;
    private final long timerId;
    private final AtomicLong redelivered = new AtomicLong();
    private boolean sweeping;

    /** @param resultsQueued task updates received and not yet written ({@link RunResultBatcher#queued}) */
    PendingRedelivery(Vertx vertx, TaskRepository tasks, ConnectedAgents agents, LocalDelivery delivery,
                      Duration after, IntSupplier resultsQueued) {
        this.vertx = vertx;
        this.resultsQueued = resultsQueued;
        this.tasks = tasks;
        this.agents = agents;
        this.delivery = delivery;
        this.after = after;
        this.timerId = vertx.setPeriodic(Math.max(1, after.toMillis()), id -> sweepIfIdle());
    }

    /** Runs pushed again so far. */
    long redelivered() {
        return redelivered.get();
    }

    private void sweepIfIdle() {
        if (sweeping) {
            return;
        }
        List<String> hosts = agents.hostIds();
        if (hosts.isEmpty()) {
            return;
        }
        int queued = resultsQueued.getAsInt();
        if (queued > RESULTS_BEHIND) {
            log.info("pending-run sweep skipped: {} task updates wait to be written", queued);
            return;
        }
        sweeping = true;
        tasks.redeliveryDue(hosts, after, MAX_PER_SWEEP).onComplete(ar -> {
            sweeping = false;
            if (ar.failed()) {
                log.warn("could not load pending runs to deliver again (retried in {} s): {}", after.toSeconds(),
                        ar.cause().toString());
                return;
            }
            pushDue(ar.result());
        });
    }

    /**
     * A member joined: a new one, or the other side of a healed split merging in. During a split
     * each side owns every host, so a run accepted on one side for a host connected to the other
     * was routed to no stream, and no share reaches this member for it afterwards (the sweep would
     * find it, but only two intervals after its first look). So push every open run of the hosts
     * held here once, now. Safe: the agent runs a run id at most once. One query.
     */
    void catchUp() {
        vertx.runOnContext(v -> {
            List<String> hosts = agents.hostIds();
            if (hosts.isEmpty()) {
                return;
            }
            tasks.openRuns(hosts).onComplete(ar -> {
                if (ar.failed()) {
                    log.warn("could not load open runs after a member joined (the sweep retries in {} s): {}",
                            after.toSeconds(), ar.cause().toString());
                    return;
                }
                int pushed = push(ar.result());
                log.info("a member joined: pushing {} open runs again to {} connected hosts", pushed, hosts.size());
            });
        });
    }

    private void pushDue(List<OpenRun> due) {
        if (due.isEmpty()) {
            return;
        }
        int pushed = push(due);
        redelivered.addAndGet(pushed);
        log.info("pushing {} runs again that stayed pending for more than {} s on {} connected hosts", pushed,
                after.toSeconds(), due.stream().map(run -> run.run().hostId()).distinct().count());
    }

    /**
     * Pushes {@code runs} to their hosts still connected here, {@link #HOSTS_PER_TURN} hosts per
     * event-loop turn.
     *
     * @return runs to push (those of hosts connected here now)
     */
    private int push(List<OpenRun> runs) {
        Map<String, List<OpenRun>> byHost = new LinkedHashMap<>();
        for (OpenRun run : runs) {
            byHost.computeIfAbsent(run.run().hostId(), h -> new ArrayList<>()).add(run);
        }
        List<Map.Entry<AgentLink, List<OpenRun>>> work = new ArrayList<>(byHost.size());
        int pushed = 0;
        for (Map.Entry<String, List<OpenRun>> entry : byHost.entrySet()) {
            Optional<AgentLink> link = agents.get(entry.getKey());
            if (link.isPresent()) {
                work.add(Map.entry(link.get(), entry.getValue()));
                pushed += entry.getValue().size();
            }
        }
        pushFrom(work, 0);
        return pushed;
    }

    private void pushFrom(List<Map.Entry<AgentLink, List<OpenRun>>> work, int from) {
        int to = Math.min(work.size(), from + HOSTS_PER_TURN);
        for (int i = from; i < to; i++) {
            delivery.reopen(work.get(i).getKey(), work.get(i).getValue());
        }
        if (to < work.size()) {
            vertx.runOnContext(v -> pushFrom(work, to));
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(timerId);
    }
}
