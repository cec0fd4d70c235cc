package io.muster.controller.event;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.muster.controller.access.Access;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.Routes;
import io.muster.controller.http.SelectorParameter;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.muster.scheduler.selector.SqlFragment;
import io.muster.scheduler.selector.SqlSelector;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /api/v1/events}: the fleet's events as server-sent events, live. Each SSE message
 * is {@code id: <position>}, {@code event: <type>}, {@code data: <CloudEvent, structured JSON>};
 * a client that reconnects with {@code Last-Event-ID} (header or {@code lastEventId} parameter)
 * resumes right after that message; when the retention deleted events after that position, the
 * stream first sends an {@value #GAP_TYPE} message saying which (no silent skip). Filters:
 * {@code type} (repeatable or comma-separated: {@code host.online}, {@code host.*}) and
 * {@code selector} (only events about matching hosts). Viewer; a scoped token's selector is
 * ANDed with its scope, so it sees only its hosts' events (and no task or audit events).
 *
 * <p>Each stream polls the outbox every {@value #POLL_MS} ms from any member (all read the same
 * table), pauses while the client does not read, and ends when the client goes.
 */
public final class EventStreamRoutes implements ApiPart {

    static final Rule STREAM = Rule.viewer("events.stream", Scoping.HOST_QUERY);

    static final long POLL_MS = 500;
    private static final long KEEP_ALIVE_MS = 15_000;
    private static final int BATCH = 500;
    /** The message a stream starts with when its Last-Event-ID is older than the retention kept. */
    static final String GAP_TYPE = "events.gap";
    private static final EventFormat FORMAT = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE);

    private final Vertx vertx;
    private final Outbox outbox;
    private final URI source;

    public EventStreamRoutes(Vertx vertx, Outbox outbox, URI source) {
        this.vertx = vertx;
        this.outbox = outbox;
        this.source = source;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/events", STREAM, this::stream);
    }

    private void stream(RoutingContext ctx) {
        List<String> types = types(ctx.queryParam("type"));
        Selector selector = Access.hostSelector(Callers.principal(ctx).orElseThrow(),
                SelectorParameter.parse(ctx.request().getParam("selector")));
        String resume = ctx.request().getHeader("Last-Event-ID");
        if (resume == null) {
            resume = ctx.request().getParam("lastEventId");
        }
        StreamPosition from;
        try {
            from = resume == null || resume.isBlank() ? null : StreamPosition.parse(resume.strip());
        } catch (IllegalArgumentException e) {
            throw new ProblemException(Problem.badRequest("invalid-last-event-id", e.getMessage()));
        }
        if (from == null) {
            outbox.now().onSuccess(start -> new Stream(ctx.response(), start, types, selector).start(null)).onFailure(ctx::fail);
            return;
        }
        outbox.expiredThrough()
                .onSuccess(expired -> new Stream(ctx.response(), from, types, selector)
                        .start(compare(from, expired) < 0 ? expired : null))
                .onFailure(ctx::fail);
    }

    private static int compare(StreamPosition a, StreamPosition b) {
        int byTx = Long.compare(a.tx(), b.tx());
        return byTx != 0 ? byTx : Long.compare(a.id(), b.id());
    }

    // A CloudEvent like the others (the CLI and clients print or parse it the same way), not an outbox row.
    private CloudEvent gap(StreamPosition from, StreamPosition expired) {
        JsonObject data = new JsonObject().put("after", from.toString()).put("expiredThrough", expired.toString())
                .put("detail", "events after " + from + " up to " + expired + " were deleted by the outbox retention "
                        + "before this stream resumed; the stream continues with the oldest event kept");
        return CloudEventBuilder.v1()
                .withId("gap-" + from + "-" + expired)
                .withSource(source)
                .withType(GAP_TYPE)
                .withTime(OffsetDateTime.now(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .withData(data.encode().getBytes(StandardCharsets.UTF_8))
                .build();
    }

    private static List<String> types(List<String> params) {
        List<String> types = new ArrayList<>();
        for (String param : params) {
            for (String type : param.split(",")) {
                String filter = type.strip();
                if (filter.isEmpty()) {
                    continue;
                }
                if (!FleetEvent.validFilter(filter)) {
                    throw new ProblemException(Problem.badRequest("invalid-type", "type '" + filter
                            + "' is not an event type (host.online), a family (host.*) or *"));
                }
                types.add(filter);
            }
        }
        return types;
    }

    private final class Stream {
        private final HttpServerResponse response;
        private final List<String> types;
        private final String hostFilter;
        private final List<Object> filterParams;
        private StreamPosition position;
        private long pollTimer = -1;
        private long keepAliveTimer = -1;
        private boolean closed;

        Stream(HttpServerResponse response, StreamPosition start, List<String> types, Selector selector) {
            this.response = response;
            this.position = start;
            this.types = types;
            if (selector == null || selector.isEmpty()) {
                hostFilter = null;
                filterParams = List.of();
            } else {
                SqlFragment where = SqlSelector.where(selector, "h.labels", "h.facts", 3);
                hostFilter = where.sql();
                filterParams = where.params();
            }
        }

        /** @param expired the newest position the retention deleted, when it is past the resume position */
        void start(StreamPosition expired) {
            response.setStatusCode(200)
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache");
            response.closeHandler(v -> close());
            // The comment carries the start position: a client that saw no event can still resume from here.
            response.write(": position " + position + "\n\n");
            if (expired != null) {
                // Said, not skipped silently: the client resumed from before what the retention kept. The
                // message has no SSE id, so a reconnect still resumes from the client's own position.
                response.write("event: " + GAP_TYPE + "\ndata: "
                        + new String(FORMAT.serialize(gap(position, expired)), StandardCharsets.UTF_8) + "\n\n");
            }
            keepAliveTimer = vertx.setPeriodic(KEEP_ALIVE_MS, t -> {
                if (!closed) {
                    response.write(": keep-alive\n\n");
                }
            });
            poll();
        }

        private void poll() {
            pollTimer = -1;
            if (closed) {
                return;
            }
            outbox.after(position, BATCH, hostFilter, filterParams).onComplete(ar -> {
                if (closed) {
                    return;
                }
                if (ar.failed()) {
                    schedule(POLL_MS * 4);
                    return;
                }
                for (FleetEvent event : ar.result()) {
                    position = StreamPosition.of(event);
                    if (wanted(event)) {
                        response.write("id: " + position + "\nevent: " + event.type() + "\ndata: "
                                + new String(FORMAT.serialize(event.toCloudEvent(source)), StandardCharsets.UTF_8) + "\n\n");
                    }
                }
                if (response.writeQueueFull()) {
                    response.drainHandler(v -> poll());
                } else {
                    schedule(ar.result().size() >= BATCH ? 1 : POLL_MS);
                }
            });
        }

        private boolean wanted(FleetEvent event) {
            return types.isEmpty() || types.stream().anyMatch(filter -> FleetEvent.typeMatches(filter, event.type()));
        }

        private void schedule(long delayMs) {
            pollTimer = vertx.setTimer(delayMs, t -> poll());
        }

        private void close() {
            closed = true;
            if (pollTimer >= 0) {
                vertx.cancelTimer(pollTimer);
            }
            vertx.cancelTimer(keepAliveTimer);
        }
    }
}
