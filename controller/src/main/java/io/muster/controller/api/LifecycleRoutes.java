package io.muster.controller.api;

import io.muster.controller.lifecycle.ContainerStatuses;
import io.muster.controller.lifecycle.LifecycleConflictException;
import io.muster.controller.lifecycle.LifecycleOutcome;
import io.muster.controller.lifecycle.LifecycleRequest;
import io.muster.controller.lifecycle.LifecycleService;
import io.muster.controller.store.HostNotFoundException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.Routes;
import io.vertx.ext.web.RoutingContext;

/**
 * Host lifecycle and containers:
 * <ul>
 *   <li>{@code POST /api/v1/hosts/{id}/lifecycle {"action": ..., ...params}}: 200 with the new
 *       lifecycle for immediate actions (cordon, uncordon, maintenance), 202 with {@code taskId}
 *       and {@code runId} for actions that run work on the agent (drain, reboot, upgrade-agent,
 *       decommission); 409 with {@code "lifecycle"} (the current state) when the action is
 *       illegal now; 400 for an unknown action or bad parameters; 404 for an unknown host.</li>
 *   <li>{@code GET /api/v1/hosts/{id}/containers}: the Muster-managed containers the host last
 *       reported ({@code items}, {@code reportedAt}; {@code reportedAt} null when it never did).</li>
 * </ul>
 * Handlers run on the event loop and only chain futures.
 */
public final class LifecycleRoutes implements ApiPart {

    static final Rule ACT = Rule.operator("hosts.lifecycle", Scoping.HOST);
    static final Rule CONTAINERS = Rule.viewer("hosts.containers", Scoping.HOST);

    private final LifecycleService lifecycle;
    private final ContainerStatuses containers;

    public LifecycleRoutes(LifecycleService lifecycle, ContainerStatuses containers) {
        this.lifecycle = lifecycle;
        this.containers = containers;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/api/v1/hosts/:id/lifecycle", ACT, this::act)
                .get("/api/v1/hosts/:id/containers", CONTAINERS, this::containers);
    }

    private void act(RoutingContext ctx) {
        String hostId = ctx.pathParam("id");
        LifecycleRequest request;
        try {
            request = LifecycleRequest.parse(body(ctx));
        } catch (IllegalArgumentException e) {
            Problem.badRequest("invalid-lifecycle-request", e.getMessage()).send(ctx);
            return;
        }
        lifecycle.act(hostId, request, Callers.actor(ctx)).onComplete(ar -> {
            if (ar.succeeded()) {
                LifecycleOutcome outcome = ar.result();
                JsonObject answer = new JsonObject()
                        .put("hostId", outcome.hostId())
                        .put("action", outcome.action().wireName())
                        .put("from", outcome.from().wireName())
                        .put("lifecycle", outcome.lifecycle().wireName());
                if (outcome.runsWork()) {
                    answer.put("taskId", outcome.taskId().toString()).put("runId", outcome.runId().toString());
                }
                ctx.response().setStatusCode(outcome.runsWork() ? 202 : 200)
                        .putHeader("Content-Type", "application/json").end(answer.encode());
            } else if (ar.cause() instanceof LifecycleConflictException conflict) {
                Problem.of(409, "illegal-transition", "Conflict", conflict.getMessage())
                        .with("lifecycle", conflict.current().wireName()).send(ctx);
            } else if (ar.cause() instanceof IllegalArgumentException bad) {
                Problem.badRequest("invalid-lifecycle-request", bad.getMessage()).send(ctx);
            } else {
                ctx.fail(ar.cause());
            }
        });
    }

    private void containers(RoutingContext ctx) {
        String hostId = ctx.pathParam("id");
        containers.find(hostId).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().isEmpty()) {
                ctx.fail(new HostNotFoundException(hostId));
            } else {
                ContainerStatuses.Snapshot snapshot = ar.result().get();
                ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("hostId", hostId)
                        .put("items", snapshot.containers())
                        .put("reportedAt", snapshot.reportedAt() == null ? null : snapshot.reportedAt().toInstant().toString())
                        .encode());
            }
        });
    }

    private static JsonObject body(RoutingContext ctx) {
        try {
            if (ctx.body() == null || ctx.body().length() <= 0) {
                throw new IllegalArgumentException("the body must be a JSON object with \"action\"");
            }
            // Buffer.toJson() gives the text back as a String in Vert.x 5; Json.decodeValue parses it.
            Object json = Json.decodeValue(ctx.body().buffer());
            if (!(json instanceof JsonObject object)) {
                throw new IllegalArgumentException("the body must be a JSON object with \"action\"");
            }
            return object;
        } catch (DecodeException e) {
            throw new IllegalArgumentException("the body is not valid JSON: " + e.getMessage());
        }
    }
}
