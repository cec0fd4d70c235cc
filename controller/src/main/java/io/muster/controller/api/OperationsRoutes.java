package io.muster.controller.api;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.muster.controller.store.HostRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Problem;
import io.muster.controller.http.Routes;
import io.vertx.ext.web.RoutingContext;
import io.muster.controller.cluster.MemberView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liveness, readiness, metrics and the cluster's members, each with its readiness as the
 * answering member gets it from the member's own {@code /readyz} (so one page shows them all).
 */
public final class OperationsRoutes implements ApiPart {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsRoutes.class);
    static final Rule CLUSTER = Rule.viewer("cluster.members", Scoping.NO_FLEET_DATA);

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final long READY_TIMEOUT_SECONDS = 2;
    /** How long the member list waits for another member's /readyz; a member that slow is not ready. */
    static final long PEER_READY_TIMEOUT_MS = 1_500;
    static final String NO_DATABASE = "the database does not answer";

    private final Vertx vertx;
    private final HostRepository hosts;
    private final PrometheusMeterRegistry registry;
    private final ClusterView cluster;
    private final HttpClient peers;

    public OperationsRoutes(Vertx vertx, HostRepository hosts, PrometheusMeterRegistry registry, ClusterView cluster) {
        this.vertx = vertx;
        this.hosts = hosts;
        this.registry = registry;
        this.cluster = cluster;
        this.peers = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) PEER_READY_TIMEOUT_MS)
                .setKeepAlive(false));
        // JVM figures on /metrics (heap by area, threads, CPU, classes): the bench reads heap per host from
        // jvm_memory_used_bytes{area="heap"}. None of these binders holds a listener that would need closing.
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
    }

    @Override
    public void routes(Routes routes) {
        routes.open("/readyz", this::ready)
                .open("/metrics", this::metrics)
                .get("/api/v1/cluster", CLUSTER, this::members);
    }

    private void ready(RoutingContext ctx) {
        readiness().onSuccess(reason -> {
            if (reason == null) {
                HostRoutes.json(ctx, 200, new JsonObject().put("status", "ready"));
            } else {
                Problem.of(503, "not-ready", "Service unavailable", reason).send(ctx);
            }
        });
    }

    /** Null when this member is ready, else why not; never fails. */
    private Future<String> readiness() {
        if (!cluster.ready()) {
            return Future.succeededFuture("this member has not joined its cluster yet");
        }
        return hosts.ping()
                .timeout(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .map(x -> (String) null)
                .otherwise(e -> {
                    // /readyz needs no token: the driver's text (addresses, user, database names) goes
                    // to this member's log, not to whoever asks.
                    LOG.warn("not ready: the database does not answer: {}", e.toString());
                    return NO_DATABASE;
                });
    }

    /** Another member's /readyz: its answer, or why there was none within the timeout. */
    private Future<JsonObject> readiness(MemberView member) {
        if (member.local()) {
            return readiness().map(reason -> readiness(reason == null, reason == null ? "ready" : reason));
        }
        int colon = member.http().lastIndexOf(':');
        RequestOptions request;
        try {
            request = new RequestOptions().setMethod(HttpMethod.GET).setHost(member.http().substring(0, colon))
                    .setPort(Integer.parseInt(member.http().substring(colon + 1))).setURI("/readyz")
                    .setIdleTimeout(PEER_READY_TIMEOUT_MS);
        } catch (RuntimeException e) {
            return Future.succeededFuture(readiness(false, "its HTTP address '" + member.http() + "' is not host:port"));
        }
        return peers.request(request)
                .compose(req -> req.send().compose(response -> response.body().map(body -> {
                    if (response.statusCode() == 200) {
                        return readiness(true, "ready");
                    }
                    String detail;
                    try {
                        detail = new JsonObject(body).getString("detail", body.toString());
                    } catch (RuntimeException notJson) {
                        detail = body.toString();
                    }
                    return readiness(false, "/readyz answered " + response.statusCode() + ": " + detail);
                })))
                .timeout(PEER_READY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .otherwise(e -> readiness(false, "/readyz did not answer: " + e.getMessage()));
    }

    private static JsonObject readiness(boolean ready, String text) {
        return new JsonObject().put("ready", ready).put("readiness", text);
    }

    private void metrics(RoutingContext ctx) {
        // Scraping walks every meter; keep it off the event loop.
        vertx.executeBlocking(registry::scrape, false)
                .onSuccess(text -> ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(text))
                .onFailure(ctx::fail);
    }

    private void members(RoutingContext ctx) {
        cluster.members()
                .compose(members -> {
                    List<Future<JsonObject>> asked = new ArrayList<>();
                    members.forEach(m -> asked.add(readiness(m).map(ready -> new JsonObject()
                            .put("id", m.id())
                            .put("address", m.address())
                            .put("grpc", m.grpc())
                            .put("http", m.http())
                            .put("partitions", m.partitions())
                            .put("connectedAgents", m.connectedAgents())
                            .put("local", m.local())
                            .mergeIn(ready))));
                    return Future.all(asked).map(all -> new JsonObject().put("members", new JsonArray(all.list())));
                })
                .onSuccess(body -> HostRoutes.json(ctx, 200, body))
                .onFailure(ctx::fail);
    }
}
