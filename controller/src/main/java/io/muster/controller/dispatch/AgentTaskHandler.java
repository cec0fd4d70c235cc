package io.muster.controller.dispatch;

import io.muster.controller.cluster.SessionRules;
import io.muster.controller.gateway.AgentMessageHandler;
import io.muster.controller.gateway.AgentSession;
import io.muster.controller.store.HostRepository;
import io.muster.controller.task.RunResultBatcher;
import io.muster.controller.task.StructJson;
import io.muster.proto.v1.Ack;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.HostEvent;
import io.muster.proto.v1.UpdateRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task side of every agent session on this member (plugged into the gateway):
 * <ul>
 *   <li>session opened: the stream becomes reachable for dispatch, then the host's open runs are
 *       loaded and sent (in that order, so a run committed meanwhile is either pushed or loaded);
 *   <li>TaskUpdate: into the {@link RunResultBatcher}; the Ack goes back on this stream after the
 *       batch commits;
 *   <li>HostEvent: recorded in the host's history, once per event id (a unique index on the
 *       event id makes a resent event a no-op), then acknowledged as
 *       {@code UpdateRef{run_id: event_id, sequence: 0}};
 *   <li>session closed: the stream is no longer used.
 * </ul>
 *
 * <p>Threading: called on gRPC threads, one message at a time per session; never blocks.
 */
public final class AgentTaskHandler implements AgentMessageHandler {

    private static final Logger log = LoggerFactory.getLogger(AgentTaskHandler.class);

    private final ConnectedAgents agents;
    private final OpenRunLoader loader;
    private final RunResultBatcher results;
    private final HostRepository hosts;
    private final Map<AgentSession, SessionLink> links = new ConcurrentHashMap<>();

    public AgentTaskHandler(ConnectedAgents agents, OpenRunLoader loader, RunResultBatcher results, HostRepository hosts) {
        this.agents = agents;
        this.loader = loader;
        this.results = results;
        this.hosts = hosts;
    }

    @Override
    public void onSessionOpened(AgentSession session) {
        SessionLink link = new SessionLink(session);
        links.put(session, link);
        agents.put(link);
        loader.load(link);
    }

    @Override
    public void onSessionClosed(AgentSession session, SessionRules.EndCause cause) {
        SessionLink link = links.remove(session);
        if (link != null) {
            agents.remove(link);
        }
    }

    @Override
    public Future<Void> onMessage(AgentSession session, AgentMessage message) {
        switch (message.getBodyCase()) {
            case TASK_UPDATE:
                return results.submit(message.getTaskUpdate(), refs -> acknowledge(session, refs));
            case HOST_EVENT:
                return record(session, message.getHostEvent());
            case ACK:
                // The controller asks for no acknowledgements: assignments are idempotent by run id.
                return Future.succeededFuture();
            default:
                log.debug("ignoring {} from host {}", message.getBodyCase(), session.hostId());
                return Future.succeededFuture();
        }
    }

    private Future<Void> record(AgentSession session, HostEvent event) {
        JsonObject detail = event.hasDetail() ? StructJson.toJson(event.getDetail()) : new JsonObject();
        if (!event.getEventId().isEmpty()) {
            detail.put("eventId", event.getEventId());
        }
        if (event.getAtMs() > 0) {
            detail.put("atMs", event.getAtMs());
        }
        return hosts.addEvent(session.hostId(), event.getKind(), event.getMessage(), detail, "agent")
                .transform(ar -> {
                    if (ar.succeeded() || isDuplicate(ar.cause())) {
                        if (!event.getEventId().isEmpty()) {
                            acknowledge(session, List.of(UpdateRef.newBuilder().setRunId(event.getEventId()).build()));
                        }
                    } else {
                        // Not acknowledged: the agent sends it again after its next reconnect.
                        log.warn("could not record event {} of host {}: {}", event.getKind(), session.hostId(),
                                ar.cause().toString());
                    }
                    return Future.succeededFuture();
                });
    }

    private static boolean isDuplicate(Throwable error) {
        return error instanceof io.vertx.pgclient.PgException
                && "23505".equals(((io.vertx.pgclient.PgException) error).getSqlState());
    }

    private static void acknowledge(AgentSession session, List<UpdateRef> refs) {
        session.send(ControllerMessage.newBuilder().setAck(Ack.newBuilder().addAllUpdates(refs)).build());
    }

    /** Dispatch's view of a session. */
    private static final class SessionLink implements AgentLink {
        private final AgentSession session;

        SessionLink(AgentSession session) {
            this.session = session;
        }

        @Override
        public String hostId() {
            return session.hostId();
        }

        @Override
        public boolean send(ControllerMessage message) {
            return session.isOpen() && session.send(message);
        }

        @Override
        public boolean canRun(String kind) {
            java.util.Set<String> capabilities = session.capabilities();
            return capabilities.isEmpty() || capabilities.contains(kind);
        }

        @Override
        public String toString() {
            return session.hostId() + " (capabilities " + String.join(", ", new java.util.TreeSet<>(session.capabilities())) + ")";
        }
    }
}
