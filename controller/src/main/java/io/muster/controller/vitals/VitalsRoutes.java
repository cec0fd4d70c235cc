package io.muster.controller.vitals;

import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Problem;
import io.muster.controller.http.Routes;
import io.muster.controller.http.TimeParameter;
import io.muster.controller.store.HostNotFoundException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code GET /api/v1/hosts/{id}/vitals?since=&until=}: the host's downsampled vitals, oldest
 * first ({@code since} defaults to a day ago). The latest vitals come with the host itself.
 */
public final class VitalsRoutes implements ApiPart {

    static final Rule HOST = Rule.viewer("hosts.vitals", Scoping.HOST);
    private static final Duration DEFAULT_WINDOW = Duration.ofDays(1);

    private final VitalsSeries series;
    private final Clock clock;

    public VitalsRoutes(VitalsSeries series, Clock clock) {
        this.series = series;
        this.clock = clock;
    }

    @Override
    public void routes(Routes routes) {
        routes.get("/api/v1/hosts/:id/vitals", HOST, this::host);
    }

    private void host(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Instant since = TimeParameter.parse("since", ctx.request().getParam("since"), clock);
        Instant until = TimeParameter.parse("until", ctx.request().getParam("until"), clock);
        series.read(id, since == null ? clock.instant().minus(DEFAULT_WINDOW) : since, until)
                .onSuccess(points -> {
                    JsonArray items = new JsonArray();
                    points.forEach(p -> items.add(new JsonObject()
                            .put("at", p.at().toString())
                            .put("samples", p.samples())
                            .put("load1m", range(p.load1()))
                            .put("cpuBusy", range(p.cpuBusy()))
                            .put("memUsedBytes", range(p.memUsedBytes()))
                            .put("uptimeSeconds", p.uptimeSeconds())));
                    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                            .end(new JsonObject().put("host", id).put("resolution", series.resolution().toString())
                                    .put("items", items).encode());
                })
                .onFailure(e -> {
                    if (e instanceof HostNotFoundException) {
                        Problem.notFound("host-not-found", "no host with id '" + id + "'").send(ctx);
                    } else {
                        ctx.fail(e);
                    }
                });
    }

    private static JsonObject range(VitalsPoint.Range range) {
        return new JsonObject().put("min", range.min()).put("avg", range.avg()).put("max", range.max());
    }
}
