package io.muster.controller.dispatch;

import io.muster.controller.task.OpenRun;
import io.muster.controller.task.TaskRepository;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a host that just connected the runs it has not finished: pending ones (it was offline
 * when they were created, or its member died before pushing them) and running ones (sent again:
 * the agent dedupes by run id, so at-least-once delivery costs nothing).
 *
 * <p>Under a connect storm (a member lost, 100,000 agents reconnecting) this is not one query per
 * host: connects are gathered for up to {@code window} (default 20 ms) or {@code maxBatch} hosts
 * (default 1,000) and loaded with ONE query per batch. A failed load is retried while the host
 * stays connected.
 *
 * <p>Threading: {@link #load} may be called from any thread and never blocks.
 */
public final class OpenRunLoader {

    private static final Logger log = LoggerFactory.getLogger(OpenRunLoader.class);

    public static final Duration DEFAULT_WINDOW = Duration.ofMillis(20);
    public static final int DEFAULT_MAX_BATCH = 1_000;
    private static final long RETRY_DELAY_MS = 1_000;

    private final Vertx vertx;
    private final TaskRepository tasks;
    private final ConnectedAgents agents;
    private final LocalDelivery delivery;
    private final long windowMs;
    private final int maxBatch;
    private final Object lock = new Object();
    /** Links waiting for the next batch, by host (a reconnect within the window replaces the older link). */
    private Map<String, AgentLink> waiting = new LinkedHashMap<>();
    private boolean timerArmed;
    /** Hosts whose open runs were loaded and handed to their streams (what a connect waits for). */
    private final AtomicLong hostsLoaded = new AtomicLong();

    public OpenRunLoader(Vertx vertx, TaskRepository tasks, ConnectedAgents agents, LocalDelivery delivery) {
        this(vertx, tasks, agents, delivery, DEFAULT_WINDOW, DEFAULT_MAX_BATCH);
    }

    public OpenRunLoader(Vertx vertx, TaskRepository tasks, ConnectedAgents agents, LocalDelivery delivery,
                         Duration window, int maxBatch) {
        this.vertx = vertx;
        this.tasks = tasks;
        this.agents = agents;
        this.delivery = delivery;
        this.windowMs = Math.max(1, window.toMillis());
        this.maxBatch = maxBatch;
    }

    /** Loads and sends the open runs of the link's host (the link must already be registered). */
    public void load(AgentLink link) {
        Map<String, AgentLink> full = null;
        boolean arm = false;
        synchronized (lock) {
            waiting.put(link.hostId(), link);
            if (waiting.size() >= maxBatch) {
                full = waiting;
                waiting = new LinkedHashMap<>();
            } else if (!timerArmed) {
                timerArmed = true;
                arm = true;
            }
        }
        if (full != null) {
            query(full);
        } else if (arm) {
            vertx.setTimer(windowMs, id -> {
                Map<String, AgentLink> batch;
                synchronized (lock) {
                    timerArmed = false;
                    batch = waiting;
                    waiting = new LinkedHashMap<>();
                }
                if (!batch.isEmpty()) {
                    query(batch);
                }
            });
        }
    }

    private void query(Map<String, AgentLink> batch) {
        tasks.openRuns(batch.keySet()).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("could not load open runs of {} connecting hosts; retrying: {}", batch.size(),
                        ar.cause().toString());
                vertx.setTimer(RETRY_DELAY_MS, id -> batch.values().forEach(link -> {
                    if (isCurrent(link)) {
                        load(link);
                    }
                }));
                return;
            }
            Map<String, List<OpenRun>> byHost = new HashMap<>();
            for (OpenRun run : ar.result()) {
                byHost.computeIfAbsent(run.run().hostId(), h -> new ArrayList<>()).add(run);
            }
            byHost.forEach((hostId, runs) -> {
                AgentLink link = batch.get(hostId);
                if (isCurrent(link)) {
                    delivery.reopen(link, runs);
                }
            });
            hostsLoaded.addAndGet(batch.size());
        });
    }

    /** Connected hosts whose open runs have been loaded so far (reconnects count again). */
    public long hostsLoaded() {
        return hostsLoaded.get();
    }

    private boolean isCurrent(AgentLink link) {
        Optional<AgentLink> current = agents.get(link.hostId());
        return current.isPresent() && current.get() == link;
    }
}
