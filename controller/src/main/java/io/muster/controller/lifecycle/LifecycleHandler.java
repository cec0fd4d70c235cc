package io.muster.controller.lifecycle;

import io.grpc.Status;
import io.muster.controller.cluster.SessionRules;
import io.muster.controller.gateway.AgentMessageHandler;
import io.muster.controller.gateway.AgentSession;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.Heartbeat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's handler with lifecycle added to the task handler it wraps: heartbeats feed
 * {@link ContainerStatuses}; accepted sessions are gathered for up to {@value #BATCH_MS} ms and
 * checked in one pass ({@link LifecycleService#hostsConnected}): reboot/upgrade runs the Hello
 * proves done are completed, and the session of a decommissioned host is ended with
 * PERMISSION_DENIED (the agent stops reconnecting). Messages go to the wrapped handler unchanged.
 *
 * <p>Threading: as {@link AgentMessageHandler}; batching runs on a Vert.x timer.
 */
public final class LifecycleHandler implements AgentMessageHandler {

    private static final Logger log = LoggerFactory.getLogger(LifecycleHandler.class);
    static final long BATCH_MS = 20;

    private final AgentMessageHandler tasks;
    private final Vertx vertx;
    private final ContainerStatuses containers;
    private final LifecycleService lifecycle;
    private final Map<String, AgentSession> opened = new HashMap<>();
    private boolean scheduled;

    public LifecycleHandler(AgentMessageHandler tasks, Vertx vertx, ContainerStatuses containers,
                            LifecycleService lifecycle) {
        this.tasks = tasks;
        this.vertx = vertx;
        this.containers = containers;
        this.lifecycle = lifecycle;
    }

    @Override
    public Future<Void> onMessage(AgentSession session, AgentMessage message) {
        return tasks.onMessage(session, message);
    }

    @Override
    public void onHeartbeat(AgentSession session, Heartbeat heartbeat) {
        containers.heartbeat(session.hostId(), heartbeat);
        tasks.onHeartbeat(session, heartbeat);
    }

    @Override
    public void onSessionOpened(AgentSession session) {
        tasks.onSessionOpened(session);
        synchronized (opened) {
            opened.put(session.hostId(), session);
        }
        schedule();
    }

    @Override
    public void onSessionClosed(AgentSession session, SessionRules.EndCause cause) {
        containers.forget(session.hostId());
        tasks.onSessionClosed(session, cause);
    }

    private void schedule() {
        synchronized (opened) {
            if (scheduled || opened.isEmpty()) {
                return;
            }
            scheduled = true;
        }
        vertx.setTimer(BATCH_MS, id -> check());
    }

    private void check() {
        Map<String, AgentSession> batch;
        synchronized (opened) {
            batch = new HashMap<>(opened);
            opened.clear();
            scheduled = false;
        }
        lifecycle.hostsConnected(new ArrayList<>(batch.keySet())).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("lifecycle check of {} connected hosts failed: {}", batch.size(), ar.cause().toString());
                return;
            }
            for (String hostId : ar.result()) {
                AgentSession session = batch.get(hostId);
                if (session != null && session.isOpen()) {
                    log.info("host {} is decommissioned; ending its session", hostId);
                    session.end(Status.PERMISSION_DENIED, "host " + hostId + " is decommissioned");
                }
            }
        });
        schedule();
    }

    /** Hosts this member checks next (diagnostics). */
    List<String> waiting() {
        synchronized (opened) {
            return List.copyOf(opened.keySet());
        }
    }
}
