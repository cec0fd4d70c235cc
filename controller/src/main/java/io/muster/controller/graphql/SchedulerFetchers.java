package io.muster.controller.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.schedule.ScheduleService;
import io.muster.controller.task.Page;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Data fetchers of rollouts and schedules: the same views as their REST routes, as plain maps
 * (listings newest first; one by id, null when unknown or not a UUID). Non-blocking.
 */
final class SchedulerFetchers {

    static final int MAX_PAGE = 1000;

    private final RolloutService rollouts;
    private final ScheduleService schedules;

    SchedulerFetchers(RolloutService rollouts, ScheduleService schedules) {
        this.rollouts = rollouts;
        this.schedules = schedules;
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> rollouts() {
        return env -> connection(rollouts.list(Paging.first(env, MAX_PAGE), Paging.after(env)));
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> rollout() {
        return env -> one(env, rollouts::find);
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> schedules() {
        return env -> connection(schedules.list(Paging.first(env, MAX_PAGE), Paging.after(env)));
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> schedule() {
        return env -> one(env, schedules::find);
    }

    private static Future<Map<String, Object>> connection(Future<Page<JsonObject>> page) {
        return page.map(p -> Paging.connection(p.items().stream().map(SchedulerFetchers::plain).toList(), p.next()));
    }

    private static Future<Map<String, Object>> one(DataFetchingEnvironment env, Function<UUID, Future<Optional<JsonObject>>> find) {
        Optional<UUID> id = TaskFetchers.id(env.getArgument("id"));
        if (id.isEmpty()) {
            return Future.succeededFuture(null);
        }
        return find.apply(id.get()).map(found -> found.map(SchedulerFetchers::plain).orElse(null));
    }

    // Nested maps and lists all the way down, which graphql-java's property fetchers read.
    @SuppressWarnings("unchecked")
    private static Map<String, Object> plain(JsonObject view) {
        return Json.decodeValue(view.encode(), Map.class);
    }
}
