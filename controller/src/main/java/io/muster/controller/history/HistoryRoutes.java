package io.muster.controller.history;

import io.muster.controller.access.Access;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.Routes;
import io.muster.controller.http.SelectorParameter;
import io.muster.controller.http.TimeParameter;
import io.muster.controller.store.HostNotFoundException;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Inventory history: {@code GET /api/v1/hosts/{id}/history} and fleet-wide
 * {@code GET /api/v1/changes} ("which hosts changed kernel.release since Monday"). Both take
 * {@code since} and {@code until} (an ISO-8601 instant, or an age like {@code 7d}, {@code 12h},
 * {@code 30m}), {@code key} (one fact), {@code limit} and {@code cursor}; answers are oldest first.
 */
public final class HistoryRoutes implements ApiPart {

    static final Rule HOST = Rule.viewer("hosts.history", Scoping.HOST);
    static final Rule FLEET = Rule.viewer("changes.list", Scoping.HOST_QUERY);
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1_000;

    private final HistoryStore store;
    private final Clock clock;

    public HistoryRoutes(HistoryStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/hosts/:id/history", HOST, this::host)
                .get("/api/v1/changes", FLEET, this::fleet);
    }

    private void host(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Query q = query(ctx);
        store.host(id, q.since, q.until, q.key, q.after, q.limit + 1)
                .onSuccess(changes -> page(ctx, changes, q.limit))
                .onFailure(e -> {
                    if (e instanceof HostNotFoundException) {
                        Problem.notFound("host-not-found", "no host with id '" + id + "'").send(ctx);
                    } else {
                        ctx.fail(e);
                    }
                });
    }

    private void fleet(RoutingContext ctx) {
        Query q = query(ctx);
        Selector selector = Access.hostSelector(Callers.principal(ctx).orElseThrow(), SelectorParameter.parse(ctx.request().getParam("selector")));
        store.fleet(selector, q.since, q.until, q.key, q.after, q.limit + 1)
                .onSuccess(changes -> page(ctx, changes, q.limit))
                .onFailure(ctx::fail);
    }

    private record Query(Instant since, Instant until, String key, long after, int limit) {
    }

    private Query query(RoutingContext ctx) {
        String key = ctx.request().getParam("key");
        return new Query(time(ctx, "since"), time(ctx, "until"), key == null || key.isBlank() ? null : key.strip(),
                cursor(ctx.request().getParam("cursor")), limit(ctx.request().getParam("limit")));
    }

    private static void page(RoutingContext ctx, List<InventoryChange> changes, int limit) {
        JsonArray items = new JsonArray();
        changes.stream().limit(limit).forEach(c -> items.add(new JsonObject()
                .put("host", c.hostId())
                .put("key", c.key())
                .put("old", c.oldValue())
                .put("new", c.newValue())
                .put("at", c.at().toString())));
        String next = changes.size() > limit ? Long.toString(changes.get(limit - 1).id()) : null;
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("items", items).put("next", next).encode());
    }

    private Instant time(RoutingContext ctx, String name) {
        return TimeParameter.parse(name, ctx.request().getParam(name), clock);
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ProblemException(Problem.badRequest("invalid-limit", "limit must be an integer from 1 to " + MAX_LIMIT
                + ", got '" + text + "'"));
    }

    private static long cursor(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new ProblemException(Problem.badRequest("invalid-cursor", "cursor must be the 'next' of the previous page, got '"
                    + text + "'"));
        }
    }
}
