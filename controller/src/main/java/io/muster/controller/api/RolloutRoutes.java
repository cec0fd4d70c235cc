package io.muster.controller.api;

import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.Routes;
import io.muster.controller.rollout.InvalidRolloutException;
import io.muster.controller.rollout.RolloutConflictException;
import io.muster.controller.rollout.RolloutNotFoundException;
import io.muster.controller.rollout.RolloutRequest;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.TaskCreator;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * /api/v1/rollouts: create (201 once the rollout and its plan are committed), list newest first,
 * one rollout with its counts, waves, budget and tasks, pause / resume / abort (409 when the
 * state does not allow it), PATCH of the strategy's budget or window, and a server-sent event
 * stream of its progress. Handlers run on the event loop and only chain futures.
 *
 * <p>Rollouts span whatever hosts their target matched and their views show every step's task,
 * so they are not narrowed to a token's scope: scoped tokens are refused (UNSCOPED_ONLY).
 */
public final class RolloutRoutes implements ApiPart {

    static final Rule CREATE = Rule.operator("rollouts.create", Scoping.UNSCOPED_ONLY);
    static final Rule LIST = Rule.viewer("rollouts.list", Scoping.UNSCOPED_ONLY);
    static final Rule GET = Rule.viewer("rollouts.get", Scoping.UNSCOPED_ONLY);
    static final Rule CHANGE = Rule.operator("rollouts.change", Scoping.UNSCOPED_ONLY);
    static final Rule PAUSE = Rule.operator("rollouts.pause", Scoping.UNSCOPED_ONLY);
    static final Rule RESUME = Rule.operator("rollouts.resume", Scoping.UNSCOPED_ONLY);
    static final Rule ABORT = Rule.operator("rollouts.abort", Scoping.UNSCOPED_ONLY);
    static final Rule EVENTS = Rule.viewer("rollouts.events", Scoping.UNSCOPED_ONLY);

    /** How often an event stream reads the rollout (each stream reads on its own). */
    private static final Duration EVENT_POLL = Duration.ofMillis(500);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final Vertx vertx;
    private final RolloutService rollouts;
    private final ResourceCollection collection = new ResourceCollection("/api/v1/rollouts",
            id -> new RolloutNotFoundException("no rollout with id " + id), RolloutRoutes::fail);

    public RolloutRoutes(Vertx vertx, RolloutService rollouts) {
        this.vertx = vertx;
        this.rollouts = rollouts;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/api/v1/rollouts", CREATE, this::create)
                .get("/api/v1/rollouts", LIST, ctx -> collection.list(ctx, rollouts::list))
                .get("/api/v1/rollouts/:id", GET, ctx -> collection.get(ctx, rollouts::find))
                .patch("/api/v1/rollouts/:id", CHANGE, this::patch)
                .post("/api/v1/rollouts/:id/pause", PAUSE, ctx -> collection.act(ctx, rollouts::pause))
                .post("/api/v1/rollouts/:id/resume", RESUME, ctx -> collection.act(ctx, rollouts::resume))
                .post("/api/v1/rollouts/:id/abort", ABORT, ctx -> collection.act(ctx, rollouts::abort))
                .get("/api/v1/rollouts/:id/events", EVENTS, this::events);
    }

    private void create(RoutingContext ctx) {
        RolloutRequest request;
        try {
            request = rollouts.parser().parse(ctx.body().buffer());
        } catch (InvalidRolloutException e) {
            fail(ctx, e);
            return;
        }
        RolloutRequest owned = request.createdBy(Callers.principal(ctx)
                .map(caller -> new TaskCreator(caller.tokenId(), caller.name())).orElse(null));
        collection.created(ctx, rollouts.create(owned));
    }

    /** Body {@code {"strategy": {"maxFailures": 20}}}: changes the budget (or window, pause). */
    private void patch(RoutingContext ctx) {
        Optional<UUID> id = collection.id(ctx);
        if (id.isEmpty()) {
            return;
        }
        Object strategy;
        try {
            Buffer body = ctx.body().buffer();
            Object json = body == null || body.length() == 0 ? null : body.toJsonValue();
            if (!(json instanceof JsonObject object) || object.size() != 1 || !(object.getValue("strategy") instanceof JsonObject)) {
                throw new InvalidRolloutException("strategy", "the body must be {\"strategy\": {...}} with the fields to change");
            }
            strategy = object.getJsonObject("strategy");
        } catch (DecodeException e) {
            fail(ctx, new InvalidRolloutException("body", "the request body is not valid JSON"));
            return;
        } catch (InvalidRolloutException e) {
            fail(ctx, e);
            return;
        }
        collection.reply(ctx, rollouts.changeStrategy(id.get(), (JsonObject) strategy));
    }

    /**
     * {@code event: progress} with the full rollout whenever its state or counts change, then
     * {@code event: done} once it succeeded, was aborted or failed. A halted rollout keeps its
     * stream open (it may be resumed). A comment line every 15 s keeps idle connections open.
     */
    private void events(RoutingContext ctx) {
        Optional<UUID> id = collection.id(ctx);
        if (id.isEmpty()) {
            return;
        }
        rollouts.find(id.get()).onSuccess(found -> {
            if (found.isEmpty()) {
                fail(ctx, new RolloutNotFoundException("no rollout with id " + id.get()));
                return;
            }
            HttpServerResponse response = ctx.response().setStatusCode(200).setChunked(true)
                    .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
            new EventStream(id.get(), response).send(found.get());
        }).onFailure(e -> fail(ctx, e));
    }

    private final class EventStream {
        private final UUID id;
        private final HttpServerResponse response;
        private final long keepAlive;
        private String last;
        private boolean closed;
        private long poll = -1;

        EventStream(UUID id, HttpServerResponse response) {
            this.id = id;
            this.response = response;
            this.keepAlive = vertx.setPeriodic(KEEP_ALIVE.toMillis(), t -> {
                if (!closed) {
                    response.write(": keep-alive\n\n");
                }
            });
            response.closeHandler(v -> close());
        }

        void send(JsonObject view) {
            if (closed) {
                return;
            }
            JsonObject change = view.copy();
            change.remove("updatedAt");
            String encoded = change.encode();
            if (!encoded.equals(last)) {
                last = encoded;
                response.write("event: progress\ndata: " + view.encode() + "\n\n");
            }
            if (over(view)) {
                response.write("event: done\ndata: " + view.encode() + "\n\n");
                response.end();
                close();
                return;
            }
            poll = vertx.setTimer(EVENT_POLL.toMillis(), t -> rollouts.find(id).onComplete(ar -> {
                if (ar.succeeded() && ar.result().isPresent()) {
                    send(ar.result().get());
                } else if (ar.succeeded()) {
                    close();
                    response.end();
                } else {
                    send(JsonObject.of("state", "unknown"));
                }
            }));
        }

        private void close() {
            closed = true;
            vertx.cancelTimer(keepAlive);
            if (poll >= 0) {
                vertx.cancelTimer(poll);
            }
        }
    }

    // The rollout will not change any more (a halted one may still be resumed).
    private static boolean over(JsonObject view) {
        return Set.of("succeeded", "aborted", "failed", "unknown").contains(view.getString("state"));
    }

    static void fail(RoutingContext ctx, Throwable e) {
        if (e instanceof InvalidRolloutException invalid) {
            Problem.badRequest("invalid-rollout", invalid.getMessage()).with("field", invalid.field()).send(ctx);
        } else if (e instanceof InvalidTaskRequestException) {
            Problem.badRequest("invalid-rollout", e.getMessage()).send(ctx);
        } else if (e instanceof RolloutNotFoundException) {
            Problem.notFound("rollout-not-found", e.getMessage()).send(ctx);
        } else if (e instanceof RolloutConflictException) {
            Problem.of(409, "rollout-conflict", "Conflict", e.getMessage()).send(ctx);
        } else if (e instanceof ProblemException problem) {
            problem.problem().send(ctx);
        } else {
            ctx.fail(e);
        }
    }
}
