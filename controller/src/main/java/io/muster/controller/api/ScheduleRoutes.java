package io.muster.controller.api;

import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.Routes;
import io.muster.controller.schedule.InvalidScheduleException;
import io.muster.controller.schedule.ScheduleConflictException;
import io.muster.controller.schedule.ScheduleNotFoundException;
import io.muster.controller.schedule.ScheduleService;
import io.muster.controller.task.TaskCreator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.UUID;

/**
 * /api/v1/schedules: create (201), list newest first, one schedule with its next ticks and latest
 * firings, PATCH, DELETE (204), pause / resume (409 when it is so already). Handlers run on the
 * event loop and only chain futures.
 *
 * <p>A schedule creates tasks or rollouts on whatever hosts its target matches at each tick,
 * long after the request, so scoped tokens are refused (UNSCOPED_ONLY) as for rollouts.
 */
public final class ScheduleRoutes implements ApiPart {

    static final Rule CREATE = Rule.operator("schedules.create", Scoping.UNSCOPED_ONLY);
    static final Rule LIST = Rule.viewer("schedules.list", Scoping.UNSCOPED_ONLY);
    static final Rule GET = Rule.viewer("schedules.get", Scoping.UNSCOPED_ONLY);
    static final Rule CHANGE = Rule.operator("schedules.change", Scoping.UNSCOPED_ONLY);
    static final Rule DELETE = Rule.operator("schedules.delete", Scoping.UNSCOPED_ONLY);
    static final Rule PAUSE = Rule.operator("schedules.pause", Scoping.UNSCOPED_ONLY);
    static final Rule RESUME = Rule.operator("schedules.resume", Scoping.UNSCOPED_ONLY);

    private final ScheduleService schedules;
    private final ResourceCollection collection = new ResourceCollection("/api/v1/schedules",
            id -> new ScheduleNotFoundException("no schedule with id " + id), ScheduleRoutes::fail);

    public ScheduleRoutes(ScheduleService schedules) {
        this.schedules = schedules;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/api/v1/schedules", CREATE, this::create)
                .get("/api/v1/schedules", LIST, ctx -> collection.list(ctx, schedules::list))
                .get("/api/v1/schedules/:id", GET, ctx -> collection.get(ctx, schedules::find))
                .patch("/api/v1/schedules/:id", CHANGE, this::patch)
                .delete("/api/v1/schedules/:id", DELETE, this::delete)
                .post("/api/v1/schedules/:id/pause", PAUSE, ctx -> collection.act(ctx, schedules::pause))
                .post("/api/v1/schedules/:id/resume", RESUME, ctx -> collection.act(ctx, schedules::resume));
    }

    private void create(RoutingContext ctx) {
        Optional<JsonObject> body = body(ctx);
        if (body.isEmpty()) {
            return;
        }
        TaskCreator creator = Callers.principal(ctx).map(caller -> new TaskCreator(caller.tokenId(), caller.name())).orElse(null);
        collection.created(ctx, schedules.create(body.get(), creator));
    }

    private void patch(RoutingContext ctx) {
        Optional<UUID> id = collection.id(ctx);
        if (id.isEmpty()) {
            return;
        }
        body(ctx).ifPresent(patch -> collection.reply(ctx, schedules.change(id.get(), patch)));
    }

    private void delete(RoutingContext ctx) {
        collection.id(ctx).ifPresent(id -> schedules.delete(id).onSuccess(v -> ctx.response().setStatusCode(204).end())
                .onFailure(e -> fail(ctx, e)));
    }

    private static Optional<JsonObject> body(RoutingContext ctx) {
        try {
            Buffer body = ctx.body().buffer();
            Object json = body == null || body.length() == 0 ? null : body.toJsonValue();
            if (json instanceof JsonObject object) {
                return Optional.of(object);
            }
            fail(ctx, new InvalidScheduleException("body", "the request body must be a JSON object"));
        } catch (DecodeException e) {
            fail(ctx, new InvalidScheduleException("body", "the request body is not valid JSON"));
        }
        return Optional.empty();
    }

    static void fail(RoutingContext ctx, Throwable e) {
        if (e instanceof InvalidScheduleException invalid) {
            Problem.badRequest("invalid-schedule", invalid.getMessage()).with("field", invalid.field()).send(ctx);
        } else if (e instanceof ScheduleNotFoundException) {
            Problem.notFound("schedule-not-found", e.getMessage()).send(ctx);
        } else if (e instanceof ScheduleConflictException) {
            Problem.of(409, "schedule-conflict", "Conflict", e.getMessage()).send(ctx);
        } else if (e instanceof ProblemException problem) {
            problem.problem().send(ctx);
        } else {
            ctx.fail(e);
        }
    }
}
