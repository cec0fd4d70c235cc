package io.muster.controller.api;

import io.muster.controller.task.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The replies a collection of UUID-named resources under one path shares (schedules, rollouts):
 * 201 with Location, a page of items, one item or 404, an action on one item. Each collection
 * keeps its own problem mapping ({@code fail}) and not-found exception, so error bodies stay
 * what each route documents.
 */
final class ResourceCollection {

    private final String path;
    private final Function<String, Throwable> notFound;
    private final BiConsumer<RoutingContext, Throwable> fail;

    /**
     * @param path     the collection's path, e.g. {@code /api/v1/schedules}
     * @param notFound makes the failure for an unknown or malformed id from its text
     * @param fail     sends a failure as the collection's problem body
     */
    ResourceCollection(String path, Function<String, Throwable> notFound, BiConsumer<RoutingContext, Throwable> fail) {
        this.path = path;
        this.notFound = notFound;
        this.fail = fail;
    }

    /** 201 with the created item and its Location. */
    void created(RoutingContext ctx, Future<JsonObject> creation) {
        creation.onSuccess(created -> {
            ctx.response().putHeader("Location", path + "/" + created.getString("id"));
            HostRoutes.json(ctx, 201, created);
        }).onFailure(e -> fail.accept(ctx, e));
    }

    /** One page of items after the request's {@code limit} and {@code cursor}. */
    void list(RoutingContext ctx, BiFunction<Integer, String, Future<Page<JsonObject>>> lister) {
        PageRequest page = PageRequest.from(ctx);
        lister.apply(page.limit(), page.cursor()).onSuccess(result -> HostRoutes.json(ctx, 200,
                new JsonObject().put("items", new JsonArray(result.items())).put("next", result.next())))
                .onFailure(e -> fail.accept(ctx, e));
    }

    /** The item named by the path's id, or 404. */
    void get(RoutingContext ctx, Function<UUID, Future<Optional<JsonObject>>> finder) {
        id(ctx).ifPresent(id -> finder.apply(id).onSuccess(found -> {
            if (found.isEmpty()) {
                fail.accept(ctx, notFound.apply(id.toString()));
            } else {
                HostRoutes.json(ctx, 200, found.get());
            }
        }).onFailure(e -> fail.accept(ctx, e)));
    }

    /** Runs an action on the item named by the path's id and replies with its view. */
    void act(RoutingContext ctx, Function<UUID, Future<JsonObject>> action) {
        id(ctx).ifPresent(id -> reply(ctx, action.apply(id)));
    }

    /** 200 with the view, or the failure as a problem. */
    void reply(RoutingContext ctx, Future<JsonObject> view) {
        view.onSuccess(v -> HostRoutes.json(ctx, 200, v)).onFailure(e -> fail.accept(ctx, e));
    }

    /** The path's id; a malformed one is answered as not found (it cannot name an item). */
    Optional<UUID> id(RoutingContext ctx) {
        String text = ctx.pathParam("id");
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            fail.accept(ctx, notFound.apply(text));
            return Optional.empty();
        }
    }
}
