package io.muster.controller.api;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.muster.controller.store.HostRepository;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Problem;
import io.muster.controller.http.Routes;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/** Liveness, readiness, metrics and the cluster's members. */
public final class OperationsRoutes implements ApiPart {

    static final Rule CLUSTER = Rule.viewer("cluster.members", Scoping.NO_FLEET_DATA);

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final long READY_TIMEOUT_SECONDS = 2;

    private final Vertx vertx;
    private final HostRepository hosts;
    private final PrometheusMeterRegistry registry;
    private final ClusterView cluster;

    public OperationsRoutes(Vertx vertx, HostRepository hosts, PrometheusMeterRegistry registry, ClusterView cluster) {
        this.vertx = vertx;
        this.hosts = hosts;
        this.registry = registry;
        this.cluster = cluster;
        // JVM figures on /metrics (heap by area, threads, CPU, classes): the bench reads heap per host from
        // jvm_memory_used_bytes{area="heap"}. None of these binders holds a listener that would need closing.
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
    }

    @Override
    public void routes(Routes routes) {
        routes.open("/healthz", ctx -> HostRoutes.json(ctx, 200, new JsonObject().put("status", "ok")))
                .open("/readyz", this::ready)
                .open("/metrics", this::metrics)
                .get("/api/v1/cluster", CLUSTER, this::members);
    }

    private void ready(RoutingContext ctx) {
        if (!cluster.ready()) {
            Problem.of(503, "not-ready", "Service unavailable", "this member has not joined its cluster yet").send(ctx);
            return;
        }
        hosts.ping()
                .timeout(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .onSuccess(x -> HostRoutes.json(ctx, 200, new JsonObject().put("status", "ready")))
                .onFailure(e -> Problem.of(503, "not-ready", "Service unavailable",
                        "the database does not answer: " + e.getMessage()).send(ctx));
    }

    private void metrics(RoutingContext ctx) {
        // Scraping walks every meter; keep it off the event loop.
        vertx.executeBlocking(registry::scrape, false)
                .onSuccess(text -> ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(text))
                .onFailure(ctx::fail);
    }

    private void members(RoutingContext ctx) {
        cluster.members()
                .onSuccess(members -> {
                    JsonArray items = new JsonArray();
                    members.forEach(m -> items.add(new JsonObject()
                            .put("id", m.id())
                            .put("address", m.address())
                            .put("grpc", m.grpc())
                            .put("http", m.http())
                            .put("partitions", m.partitions())
                            .put("connectedAgents", m.connectedAgents())
                            .put("local", m.local())));
                    HostRoutes.json(ctx, 200, new JsonObject().put("members", items));
                })
                .onFailure(ctx::fail);
    }
}
