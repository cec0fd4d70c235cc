package io.muster.controller.dispatch;

import io.muster.controller.task.OpenRun;
import io.muster.controller.task.TaskRepository;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Threading: a Vert.x timer; one sweep in flight at a time; never blocks.
 */
final class PendingRedelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PendingRedelivery.class);

    private final Vertx vertx;
    private final TaskRepository tasks;
    private final ConnectedAgents agents;
    private final LocalDelivery delivery;
    private final Duration after;
    private final long timerId;
    private final AtomicLong redelivered = new AtomicLong();
    private boolean sweeping;

    PendingRedelivery(Vertx vertx, TaskRepository tasks, ConnectedAgents agents, LocalDelivery delivery,
                      Duration after) {
        this.vertx = vertx;
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
        sweeping = true;
        tasks.redeliveryDue(hosts, after).onComplete(ar -> {
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
                log.info("a member joined: pushed {} open runs again to {} connected hosts", pushed, hosts.size());
            });
        });
    }

    private void pushDue(List<OpenRun> due) {
        if (due.isEmpty()) {
            return;
        }
        int pushed = push(due);
        redelivered.addAndGet(pushed);
        log.info("pushed {} runs again that stayed pending for more than {} s on {} connected hosts", pushed,
                after.toSeconds(), due.stream().map(run -> run.run().hostId()).distinct().count());
    }

    /** @return runs pushed (those of hosts still connected here) */
    private int push(List<OpenRun> runs) {
        Map<String, List<OpenRun>> byHost = new HashMap<>();
        for (OpenRun run : runs) {
            byHost.computeIfAbsent(run.run().hostId(), h -> new ArrayList<>()).add(run);
        }
        int pushed = 0;
        for (Map.Entry<String, List<OpenRun>> entry : byHost.entrySet()) {
            Optional<AgentLink> link = agents.get(entry.getKey());
            if (link.isPresent()) {
                delivery.reopen(link.get(), entry.getValue());
                pushed += entry.getValue().size();
            }
        }
        return pushed;
    }

    @Override
    public void close() {
        vertx.cancelTimer(timerId);
    }
}
