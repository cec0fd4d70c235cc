package io.muster.controller.graphql;

import graphql.GraphQLException;
import graphql.schema.DataFetchingEnvironment;
import io.muster.controller.access.Access;
import io.muster.controller.history.HistoryStore;
import io.muster.controller.history.InventoryChange;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.TimeParameter;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Inventory history in GraphQL: {@code Host.history} and fleet-wide {@code Query.changes}, the
 * same store and arguments as {@code GET /api/v1/hosts/{id}/history} and {@code GET /api/v1/changes}
 * (since/until as instant or age, key, first/after; oldest first). Non-blocking.
 */
final class HistoryFetchers {

    private static final int MAX = 1_000;

    private final HistoryStore store;
    private final Clock clock;

    HistoryFetchers(HistoryStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> host() {
        return env -> {
            Window w = window(env);
            return store.host(HostFetchers.record(env).id(), w.since, w.until, w.key, w.after, w.first + 1)
                    .map(changes -> connection(changes, w.first));
        };
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> fleet() {
        return env -> {
            Window w = window(env);
            Selector selector = Access.hostSelector(FieldRules.caller(env), HostFetchers.parse(env.getArgument("selector")));
            return store.fleet(selector, w.since, w.until, w.key, w.after, w.first + 1)
                    .map(changes -> connection(changes, w.first));
        };
    }

    private record Window(Instant since, Instant until, String key, long after, int first) {
    }

    private Window window(DataFetchingEnvironment env) {
        String key = env.getArgument("key");
        String after = Paging.after(env);
        long afterId;
        try {
            afterId = after == null ? 0 : Long.parseLong(after);
        } catch (NumberFormatException e) {
            throw new GraphQLException("after must be the endCursor of the previous page, got '" + after + "'");
        }
        return new Window(time(env, "since"), time(env, "until"), key == null || key.isBlank() ? null : key.strip(),
                afterId, Paging.first(env, MAX));
    }

    private Instant time(DataFetchingEnvironment env, String name) {
        try {
            return TimeParameter.parse(name, env.getArgument(name), clock);
        } catch (ProblemException e) {
            throw new GraphQLException(e.problem().detail());
        }
    }

    private static Map<String, Object> connection(List<InventoryChange> changes, int first) {
        List<Map<String, Object>> nodes = new ArrayList<>();
        changes.stream().limit(first).forEach(c -> {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("host", c.hostId());
            node.put("key", c.key());
            node.put("old", c.oldValue());
            node.put("new", c.newValue());
            node.put("at", c.at().toString());
            nodes.add(node);
        });
        String next = changes.size() > first ? Long.toString(changes.get(first - 1).id()) : null;
        return Paging.connection(nodes, next);
    }
}
