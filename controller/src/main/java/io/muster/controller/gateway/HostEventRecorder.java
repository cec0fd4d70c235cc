package io.muster.controller.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.muster.controller.store.HostRepository;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.HostEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message handler of a controller without a task engine: records host events (drift,
 * agent restarts) in the host's history. Task updates and acks have no consumer yet; they are
 * left unacknowledged, so the agent keeps them in its journal and sends them again to whatever
 * handles tasks later.
 */
public final class HostEventRecorder implements AgentMessageHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HostEventRecorder.class);

    private final HostRepository hosts;

    public HostEventRecorder(HostRepository hosts) {
        this.hosts = hosts;
    }

    @Override
    public Future<Void> onMessage(AgentSession session, AgentMessage message) {
        if (message.getBodyCase() != AgentMessage.BodyCase.HOST_EVENT) {
            LOG.debug("no task engine on this member; {} from host {} left unacknowledged",
                    message.getBodyCase(), session.hostId());
            return Future.succeededFuture();
        }
        HostEvent event = message.getHostEvent();
        return hosts.addEvent(session.hostId(), event.getKind(), event.getMessage(), detail(event), "agent")
                .recover(e -> {
                    LOG.warn("could not record event {} of host {}: {}", event.getKind(), session.hostId(), e.getMessage());
                    return Future.succeededFuture();
                });
    }

    private static JsonObject detail(HostEvent event) {
        JsonObject detail = new JsonObject();
        if (event.hasDetail()) {
            try {
                detail = new JsonObject(JsonFormat.printer().print(event.getDetail()));
            } catch (InvalidProtocolBufferException e) {
                detail.put("unprintable", e.getMessage());
            }
        }
        if (!event.getEventId().isEmpty()) {
            detail.put("eventId", event.getEventId());
        }
        if (event.getAtMs() > 0) {
            detail.put("atMs", event.getAtMs());
        }
        return detail;
    }
}
