package io.muster.controller.api;

import io.muster.controller.access.Access;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Routes;
import io.muster.controller.http.SelectorParameter;
import io.muster.controller.store.HostCensus;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * GET /api/v1/fleet/summary?selector=: how many hosts match and how they split (state,
 * lifecycle, OS, kernel, agent version), plus the hosts that went silent or joined last. The
 * console's overview and its live match count use it. A scoped token's count covers its scope
 * only: the scope is AND-ed to the selector like a host listing ({@link Scoping#HOST_QUERY}).
 */
public final class FleetRoutes implements ApiPart {

    static final Rule SUMMARY_RULE = Rule.viewer("fleet.summary", Scoping.HOST_QUERY);

    public static final String SUMMARY = "/api/v1/fleet/summary";

    private final HostCensus census;

    public FleetRoutes(HostCensus census) {
        this.census = census;
    }

    @Override
    public void routes(Routes routes) {
        routes.get(SUMMARY, SUMMARY_RULE, this::summary);
    }

    private void summary(RoutingContext ctx) {
        Selector selector = Access.hostSelector(Callers.principal(ctx).orElseThrow(),
                SelectorParameter.parse(ctx.request().getParam("selector")));
        census.count(selector).map(result -> {
            JsonObject groups = new JsonObject();
            result.groups().forEach((dimension, counts) -> {
                JsonObject values = new JsonObject();
                counts.forEach(values::put);
                groups.put(dimension.wireName(), values);
            });
            return new JsonObject()
                    .put("total", result.total())
                    .put("groups", groups)
                    .put("recentlySilent", recent(result.recentlySilent()))
                    .put("recentlyJoined", recent(result.recentlyJoined()));
        }).onSuccess(body -> HostRoutes.json(ctx, 200, body)).onFailure(ctx::fail);
    }

    private static JsonArray recent(List<HostCensus.RecentHost> hosts) {
        JsonArray items = new JsonArray();
        hosts.forEach(host -> items.add(new JsonObject()
                .put("id", host.id())
                .put("hostname", host.hostname())
                .put("state", host.state())
                .put("at", host.at() == null ? null : host.at().toString())));
        return items;
    }
}
