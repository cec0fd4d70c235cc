package io.muster.controller;

import com.hazelcast.cluster.Member;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.muster.controller.api.ArtifactRoutes;
import io.muster.controller.api.ConsoleFiles;
import io.muster.controller.api.FleetRoutes;
import io.muster.controller.api.HostRoutes;
import io.muster.controller.api.LifecycleRoutes;
import io.muster.controller.api.OpenApiRoutes;
import io.muster.controller.api.OperationsRoutes;
import io.muster.controller.api.RolloutRoutes;
import io.muster.controller.api.ScheduleRoutes;
import io.muster.controller.api.TaskRoutes;
import io.muster.controller.cluster.MemberView;
import io.muster.controller.http.HttpApi;
import io.muster.controller.artifact.ArtifactStore;
import io.muster.controller.artifact.ImageGrants;
import io.muster.controller.auth.TokenSecret;
import io.muster.controller.auth.Security;
import io.muster.controller.cluster.ClusterMember;
import io.muster.controller.cluster.HazelcastClusterView;
import io.muster.controller.cluster.MemberAttributes;
import io.muster.controller.cluster.Ownership;
import io.muster.controller.cluster.SessionDirectory;
import io.muster.controller.dispatch.TaskEngine;
import io.muster.controller.event.EventSettings;
import io.muster.controller.event.EventSink;
import io.muster.controller.event.EventStreamRoutes;
import io.muster.controller.event.KafkaSink;
import io.muster.controller.event.Outbox;
import io.muster.controller.event.OutboxRelay;
import io.muster.controller.fleet.FleetControlApi;
import io.muster.controller.gateway.AgentGatewayService;
import io.muster.controller.history.HistoryRetention;
import io.muster.controller.history.HistoryRoutes;
import io.muster.controller.history.HistoryStore;
import io.muster.controller.vitals.VitalsRoutes;
import io.muster.controller.vitals.VitalsSeries;
import io.muster.controller.gateway.GatewaySettings;
import io.muster.controller.gateway.MalformedMessages;
import io.muster.controller.gateway.LivenessSweeper;
import io.muster.controller.gateway.SessionRegistry;
import io.muster.controller.graphql.GraphQlApi;
import io.muster.controller.graphql.TokenCallers;
import io.muster.controller.lifecycle.ContainerStatuses;
import io.muster.controller.lifecycle.LifecycleHandler;
import io.muster.controller.lifecycle.LifecycleRepository;
import io.muster.controller.lifecycle.LifecycleService;
import io.muster.controller.rollout.Rollouts;
import io.muster.controller.schedule.Schedules;
import io.muster.controller.store.Database;
import io.muster.controller.webhook.WebhookDispatcher;
import io.muster.controller.webhook.WebhookQueue;
import io.muster.controller.webhook.WebhookRoutes;
import io.muster.controller.webhook.WebhookStore;
import io.muster.controller.sealing.SealedColumns;
import io.muster.controller.sealing.SealingKey;
import io.muster.controller.store.EmbeddedDatabase;
import io.muster.controller.store.HostCensus;
import io.muster.controller.store.HostRepository;
import io.muster.controller.task.RunSweeper;
import io.muster.controller.task.TaskService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller member: the store, the agent gateway and FleetControl (gRPC), the HTTP API and
 * the Hazelcast member, started and stopped in the right order.
 *
 * <p>{@link #start} blocks until the member serves agents. {@link #close} is the graceful path
 * (what SIGTERM should call): the member's agents are handed over to the members that stay and
 * are not shown offline. {@link #halt} stands for a killed process (tests of failover).
 * Lifecycle methods are thread-safe; accessors may be called from any thread.
 */
public final class Controller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);
    static final String CLUSTER_NEEDS_SHARED_DATABASE =
            "a cluster needs a shared database: pass --db-url postgresql://... to every member";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final String memberId;
    private final Parts parts;
    private boolean stopped;

    /** What has been started so far; closed in reverse order. */
    private static final class Parts {
        EmbeddedDatabase embedded;
        Vertx vertx;
        Database database;
        PrometheusMeterRegistry registry;
        HostRepository hosts;
        TaskEngine tasks;
        AgentGatewayService gateway;
        Server grpc;
        HttpApi http;
        HttpServer httpServer;
        ClusterMember member;
        Ownership ownership;
        SessionDirectory directory;
        LivenessSweeper sweeper;
        Security security;
        ContainerStatuses containers;
        LifecycleHandler lifecycleHandler;
        LifecycleService lifecycle;
        OutboxRelay relay;
        WebhookDispatcher webhooks;
        HistoryRetention history;
        VitalsSeries vitals;
        HistoryRetention vitalsRetention;
        Rollouts rollouts;
        Schedules schedules;
    }

    private Controller(String memberId, Parts parts) {
        this.memberId = memberId;
        this.parts = parts;
    }

    /**
     * Starts a member and returns once it serves agents and the API.
     *
     * @throws IllegalArgumentException with one sentence when the configuration cannot work
     *         (a cluster on the embedded database)
     * @throws io.muster.controller.store.DatabaseUnavailableException with one sentence when the
     *         database cannot be started or reached
     */
    public static Controller start(ControllerConfig config) {
        return start(config, RunSweeper.Settings.DEFAULTS);
    }

    /**
     * Starts a member with its own deadlines for ending runs (tests use seconds).
     *
     * @param sweep when runs of offline hosts are lost and silent runs time out
     */
    public static Controller start(ControllerConfig config, RunSweeper.Settings sweep) {
        return start(config, sweep, EventSettings.defaults());
    }

    /**
     * Starts a member that publishes fleet events as {@code events} says (Kafka, webhook timing).
     *
     * @param sweep  when runs of offline hosts are lost and silent runs time out
     * @param events where and how events are published
     */
    public static Controller start(ControllerConfig config, RunSweeper.Settings sweep, EventSettings events) {
        if (!config.join().isEmpty() && config.dbUrl() == null) {
            throw new IllegalArgumentException(CLUSTER_NEEDS_SHARED_DATABASE);
        }
        String memberId = "m-" + UUID.randomUUID().toString().substring(0, 8);
        Parts parts = new Parts();
        try {
            String dbUrl = config.dbUrl();
            if (dbUrl == null) {
                parts.embedded = EmbeddedDatabase.start(config.dataDir(), 0);
                dbUrl = parts.embedded.url();
            }
            SealingKey key = SealingKey.loadOrCreate(config.secretsKeyFile());
            parts.vertx = Vertx.vertx();
            parts.database = await(Database.open(parts.vertx, dbUrl, Database.START_WAIT));
            await(SealedColumns.prepare(parts.database.pool(), key));
            parts.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            parts.security = await(Security.start(parts.vertx, parts.database.pool(), key, config.clusterName(), memberId,
                    config.advertiseHost(), config.insecure(), Clock.systemUTC(), parts.registry));
            parts.hosts = new HostRepository(parts.database, parts.registry);
            parts.tasks = new TaskEngine(parts.vertx, parts.database.pool(), key, parts.hosts, parts.registry, memberId, sweep);
            GatewaySettings settings = new GatewaySettings(config.agentHeartbeat(),
                    GatewaySettings.DEFAULT_INVENTORY_LIMIT, HostRepository.DEFAULT_FLUSH_INTERVAL, Clock.systemUTC(),
                    config.maxConnectsInFlight());
            parts.containers = new ContainerStatuses(parts.vertx, parts.database.pool(),
                    ContainerStatuses.DEFAULT_FLUSH_INTERVAL);
            parts.lifecycleHandler = new LifecycleHandler(parts.tasks, parts.vertx, parts.containers);
            parts.vitals = new VitalsSeries(parts.vertx, parts.database.pool(), parts.registry, Clock.systemUTC(),
                    events.vitalsResolution());
            parts.vitals.start(vitalsRound(events.vitalsResolution()));
            parts.gateway = new AgentGatewayService(memberId, parts.hosts, parts.registry, settings,
                    parts.lifecycleHandler, parts.vitals);
            HazelcastClusterView clusterView = new HazelcastClusterView(parts.vertx);

            parts.rollouts = new Rollouts(parts.vertx, parts.database.pool(), parts.database.url().connectOptions(),
                    parts.tasks.service(), parts.security.audit(), memberId);
            parts.tasks.results().onFinished(parts.rollouts::runsFinished);
            parts.schedules = new Schedules(parts.vertx, parts.database.pool(), parts.tasks.service(),
                    parts.rollouts.service(), parts.security.audit(), memberId);
            // Both servers bind before Hazelcast starts so the member attributes carry real ports.
            BindableService fleetControl = MalformedMessages.refused(new FleetControlApi(parts.vertx, parts.hosts,
                    clusterView, parts.tasks.service(), parts.rollouts.service(), parts.schedules.service(), parts.registry));
            parts.grpc = parts.security.configure(NettyServerBuilder.forAddress(new InetSocketAddress(config.listenHost(), config.grpcPort())))
                    .addService(MalformedMessages.refused(parts.gateway))
                    .addService(fleetControl)
                    .maxInboundMessageSize(settings.maxInboundMessageSize())
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .build()
                    .start();
            parts.security.serveEnrollment(config.listenHost(), config.enrollPort(), fleetControl);
            ArtifactStore artifacts = new ArtifactStore(parts.database.pool());
            Parts started = parts;
            parts.lifecycle = new LifecycleService(parts.vertx, new LifecycleRepository(parts.database.pool()),
                    parts.tasks.service(), artifacts, parts.security.revocations()::revoke,
                    () -> "http://" + config.advertiseHost() + ":" + started.httpServer.actualPort(),
                    (hostId, version, lifetime) -> started.security.tokens().createGrant("agent build " + version
                            + " download for host " + hostId, "/api/v1/agent-builds/" + version + "/download", hostId,
                            null, lifetime, "lifecycle").map(TokenSecret::token),
                    LifecycleService.DEFAULT_SWEEP_INTERVAL);
            WebhookStore webhooks = new WebhookStore(parts.database.pool(), key);
            parts.http = new HttpApi(parts.vertx, parts.security.access());
            parts.security.authenticate(parts.http);
            // Every HTTP part, from this one list: each declares its own routes with their rules.
            parts.http.mount(List.of(
                    new OperationsRoutes(parts.vertx, parts.hosts, parts.registry, clusterView),
                    new OpenApiRoutes(),
                    parts.security.routes(),
                    new HostRoutes(parts.hosts, clusterView),
                    new TaskRoutes(parts.vertx, parts.tasks.service()),
                    new LifecycleRoutes(parts.lifecycle, parts.containers),
                    new ArtifactRoutes(artifacts),
                    new WebhookRoutes(webhooks),
                    new EventStreamRoutes(parts.vertx, new Outbox(parts.database.pool()), eventSource(config)),
                    new HistoryRoutes(new HistoryStore(parts.database.pool()), Clock.systemUTC()),
                    new VitalsRoutes(parts.vitals, Clock.systemUTC()),
                    new FleetRoutes(new HostCensus(parts.database)),
                    new RolloutRoutes(parts.vertx, parts.rollouts.service()),
                    new ScheduleRoutes(parts.schedules.service()),
                    new GraphQlApi(parts.vertx, parts.hosts, clusterView, parts.tasks.service(), parts.database.pool(),
                            new TokenCallers(parts.security.tokens(), parts.security.heldTokens()), parts.security.access(),
                            parts.rollouts.service(), parts.schedules.service())));
            // The web console's files at / (after every API route; they need no token).
            new ConsoleFiles().mount(parts.http.router());
            // A container load from this cluster's image store gets its download token as a task secret.
            parts.tasks.service().issueSecretsWith(new ImageGrants(
                    () -> clusterView.members().<Collection<String>>map(members -> members.stream().map(MemberView::http).toList()),
                    (digest, taskId, lifetime) -> started.security.tokens().createGrant("image " + digest + " download",
                            "/api/v1/images/" + digest, null, taskId, lifetime, "tasks").map(TokenSecret::token)));
            parts.httpServer = await(parts.http.listen(config.listenHost(), config.httpPort()));

            String grpcAddress = config.advertiseHost() + ":" + parts.grpc.getPort();
            String httpAddress = config.advertiseHost() + ":" + parts.httpServer.actualPort();
            parts.member = ClusterMember.start(config.cluster(), memberId, grpcAddress, httpAddress);
            parts.ownership = new Ownership(parts.member.instance());
            parts.directory = new SessionDirectory(parts.member.instance());
            ClusterMember member = parts.member;
            parts.sweeper = new LivenessSweeper(parts.gateway, parts.hosts, parts.directory,
                    () -> member.isRunning() && member.instance().getCluster().getMembers().iterator().next().localMember());
            LivenessSweeper sweeper = parts.sweeper;
            parts.ownership.onChange(change -> sweeper.requestRecheck());
            parts.ownership.onDeparture(sweeper::memberDeparted);
            awaitPartitionTable(parts.ownership);
            clusterView.attach(parts.member, parts.ownership, parts.directory, parts.gateway.sessions()::size);
            parts.tasks.attach(parts.member.instance(), parts.ownership);
            parts.lifecycleHandler.attach(parts.lifecycle);
            parts.rollouts.attach(parts.ownership::isLocal);
            parts.schedules.attach(parts.ownership::isLocal);
            parts.gateway.join(parts.ownership, parts.directory);
            parts.security.attach(parts.member.instance());
            AgentGatewayService gateway = parts.gateway;
            parts.security.onHostRevoked(hostId -> gateway.sessions().find(hostId)
                    .ifPresent(session -> session.end(Status.PERMISSION_DENIED, "host " + hostId + " is revoked")));
            if (config.adminTokenFile() != null) {
                await(parts.security.createBootstrapAdmin(config.adminTokenFile(), config.adminTokenLifetime()));
                LOG.info("admin API token in {} (it expires {} after it was written)", config.adminTokenFile(),
                        config.adminTokenLifetime());
            }
            parts.relay = startRelay(parts, webhooks, config, events, memberId);
            parts.history = new HistoryRetention(parts.vertx, new HistoryStore(parts.database.pool()), events.historyRetention());
            VitalsSeries vitals = parts.vitals;
            parts.vitalsRetention = new HistoryRetention(parts.vertx, "vitals series", () -> vitals.maintain(events.vitalsRetention()));
            parts.sweeper.start();
            LOG.info("controller member {} started: agents on {}, enrollment and FleetControl on {}, HTTP API on {}, "
                            + "Hazelcast on {}:{} (cluster '{}', {} member(s)), database {}",
                    memberId, grpcAddress, parts.security.enrollmentPort().map(port -> config.advertiseHost() + ":" + port)
                            .orElse(grpcAddress + " (insecure: no enrollment)"),
                    httpAddress, config.advertiseHost(), parts.member.port(),
                    config.clusterName(), parts.member.instance().getCluster().getMembers().size(),
                    parts.database.url().display());
            return new Controller(memberId, parts);
        } catch (IOException e) {
            stopAll(parts);
            throw new UncheckedIOException("could not bind the gRPC port " + config.grpcPort() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            stopAll(parts);
            throw e;
        }
    }

    private static OutboxRelay startRelay(Parts parts, WebhookStore webhooks, ControllerConfig config, EventSettings events,
            String memberId) {
        List<EventSink> sinks = new ArrayList<>();
        URI source = eventSource(config);
        if (events.kafkaBootstrap() != null) {
            sinks.add(new KafkaSink(parts.vertx, events.kafkaBootstrap(), events.kafkaTopic(), source, "muster-" + memberId));
        }
        sinks.add(new WebhookQueue(webhooks, source));
        parts.webhooks = new WebhookDispatcher(parts.vertx, webhooks, WebhookDispatcher.ownedBy(parts.ownership),
                events.webhookRetry(), events.webhookBackoff(), Clock.systemUTC());
        return new OutboxRelay(parts.vertx, new Outbox(parts.database.pool()), OutboxRelay.ownedBy(parts.ownership), sinks,
                events.relayInterval(), events.relayBatch(), events.retention(), Clock.systemUTC(), parts.registry);
    }

    /** The CloudEvents source of this cluster's events. */
    private static URI eventSource(ControllerConfig config) {
        return URI.create("urn:muster:" + config.clusterName());
    }

    private static void awaitPartitionTable(Ownership ownership) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!ownership.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cluster did not assign partitions within " + STARTUP_TIMEOUT);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while joining the cluster", e);
            }
        }
    }

    public String memberId() {
        return memberId;
    }

    public int grpcPort() {
        return parts.grpc.getPort();
    }

    /** The enrollment port (Enrollment and FleetControl without client certificates); empty when insecure. */
    public java.util.Optional<Integer> enrollPort() {
        return parts.security.enrollmentPort();
    }

    public int httpPort() {
        return parts.httpServer.actualPort();
    }

    public int hazelcastPort() {
        return parts.member.port();
    }

    /** The agent sessions this member holds. */
    public SessionRegistry sessions() {
        return parts.gateway.sessions();
    }

    /** Which member owns a host, per this member's partition table. */
    public Ownership ownership() {
        return parts.ownership;
    }

    /** The cluster-wide sessions map. */
    public SessionDirectory sessionDirectory() {
        return parts.directory;
    }

    public HostRepository hosts() {
        return parts.hosts;
    }

    /** Tasks: accept, cancel, read. */
    public TaskService tasks() {
        return parts.tasks.service();
    }

    /** The task side of this member (dispatch, results, sweeper). */
    public TaskEngine taskEngine() {
        return parts.tasks;
    }

    /** Host lifecycle: actions, operations, reconnect checks. */
    public LifecycleService lifecycle() {
        return parts.lifecycle;
    }

    /** Rollouts: accept, read, pause, resume, abort. */
    public io.muster.controller.rollout.RolloutService rollouts() {
        return parts.rollouts.service();
    }

    /** Schedules: create, read, change, pause, resume, delete. */
    public io.muster.controller.schedule.ScheduleService schedules() {
        return parts.schedules.service();
    }

    /** The HTTP API's router, with every route mounted (the OpenAPI conformance test reads it). */
    public io.vertx.ext.web.Router httpRouter() {
        return parts.http.router();
    }

    /** The HTTP routes every part declared, each with its rule (the rule test reads them). */
    public io.muster.controller.http.Routes httpRoutes() {
        return parts.http.routes();
    }

    /** The services of the gRPC servers, agent and enrollment port (the rule test reads their methods). */
    public List<io.grpc.ServerServiceDefinition> grpcServices() {
        List<io.grpc.ServerServiceDefinition> services = new ArrayList<>(parts.grpc.getServices());
        services.addAll(parts.security.enrollmentServices());
        return services;
    }

    /** Tokens, enrollment, the cluster CA, revocations and the audit log. */
    public Security security() {
        return parts.security;
    }

    /** The registry served at /metrics. */
    public PrometheusMeterRegistry meterRegistry() {
        return parts.registry;
    }

    /** The gateway service (for plugging in task dispatch). */
    public AgentGatewayService gateway() {
        return parts.gateway;
    }

    /**
     * Stops gracefully: no new sessions; this member's partitions migrate to the others and its
     * agents are redirected to their new owners (reason "shutdown", not shown offline); then the
     * servers stop, pending heartbeats are flushed and the database is closed. When this is the
     * last member, its hosts are recorded offline instead.
     */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        LOG.info("controller member {} stopping", memberId);
        parts.gateway.beginShutdown();
        parts.sweeper.leaving();
        List<AgentGatewayService.Target> others = otherMembers();
        if (others.isEmpty()) {
            parts.gateway.closeAll("controller shutting down");
            parts.member.shutdownGracefully();
        } else {
            handOverWhileLeaving(others);
        }
        stopAll(parts);
        LOG.info("controller member {} stopped", memberId);
    }

    private List<AgentGatewayService.Target> otherMembers() {
        List<AgentGatewayService.Target> others = new ArrayList<>();
        if (!parts.member.isRunning()) {
            return others;
        }
        for (Member member : parts.member.instance().getCluster().getMembers()) {
            if (!member.localMember()) {
                others.add(new AgentGatewayService.Target(MemberAttributes.memberId(member), MemberAttributes.grpc(member)));
            }
        }
        return others;
    }

    // Partitions leave one by one while Hazelcast shuts down; each agent is redirected as soon
    // as its host's partition has a new owner, so the new owner accepts it at once.
    private void handOverWhileLeaving(List<AgentGatewayService.Target> others) {
        Thread follower = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                parts.gateway.recheckOwnership("shutdown");
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "muster-handover-" + memberId);
        follower.setDaemon(true);
        follower.start();
        try {
            parts.member.shutdownGracefully();
        } finally {
            follower.interrupt();
            try {
                follower.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int rest = parts.gateway.handOverRemaining(others);
        if (rest > 0) {
            LOG.info("sent {} remaining agents to the members that stay", rest);
        }
    }

    /**
     * Stops as abruptly as a killed process would: Hazelcast terminates without migrating, the
     * gRPC server drops every stream, no agent is redirected and no host is recorded offline.
     * Meant for failover tests; resources of this JVM are still released.
     */
    public synchronized void halt() {
        if (stopped) {
            return;
        }
        stopped = true;
        LOG.warn("controller member {} halted", memberId);
        parts.gateway.halt();
        parts.member.terminate();
        parts.grpc.shutdownNow();
        stopAll(parts);
    }

    /** Closed vitals buckets are written a quarter bucket after they close at the latest (every 10 s at most). */
    private static Duration vitalsRound(Duration resolution) {
        return Duration.ofMillis(Math.max(250, Math.min(10_000, resolution.toMillis() / 4)));
    }

    private static void stopAll(Parts parts) {
        if (parts.relay != null) {
            parts.relay.close();
        }
        if (parts.webhooks != null) {
            parts.webhooks.close();
        }
        if (parts.history != null) {
            parts.history.close();
        }
        if (parts.vitalsRetention != null) {
            parts.vitalsRetention.close();
        }
        if (parts.sweeper != null) {
            parts.sweeper.close();
        }
        if (parts.member != null) {
            parts.member.shutdownGracefully();
        }
        if (parts.grpc != null) {
            parts.grpc.shutdown();
            try {
                if (!parts.grpc.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    parts.grpc.shutdownNow();
                }
            } catch (InterruptedException e) {
                parts.grpc.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (parts.lifecycle != null) {
            parts.lifecycle.close();
        }
        if (parts.schedules != null) {
            parts.schedules.close();
        }
        if (parts.rollouts != null) {
            parts.rollouts.close();
        }
        quietly("HTTP API", parts.http == null ? null : parts.http.close());
        quietly("container statuses", parts.containers == null ? null : parts.containers.flush());
        if (parts.containers != null) {
            parts.containers.close();
        }
        quietly("task results", parts.tasks == null ? null : parts.tasks.close());
        quietly("store flush", parts.hosts == null ? null : parts.hosts.close());
        quietly("vitals series", parts.vitals == null ? null : parts.vitals.stop());
        quietly("audit log", parts.security == null ? null : parts.security.close());
        quietly("database", parts.database == null ? null : parts.database.close());
        quietly("Vert.x", parts.vertx == null ? null : parts.vertx.close());
        if (parts.registry != null) {
            parts.registry.close();
        }
        if (parts.embedded != null) {
            parts.embedded.close();
        }
    }

    private static void quietly(String what, Future<?> closing) {
        if (closing == null) {
            return;
        }
        try {
            await(closing);
        } catch (RuntimeException e) {
            LOG.warn("{} did not stop cleanly: {}", what, e.getMessage());
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + STARTUP_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
