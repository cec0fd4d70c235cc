package io.muster.controller;

import com.hazelcast.cluster.Member;
import io.grpc.BindableService;
import io.grpc.Server;
import io.muster.controller.gateway.MalformedMessages;
import io.muster.controller.sealing.SealedColumns;
import io.muster.controller.sealing.SealingKey;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.muster.controller.access.Access;
import io.muster.controller.access.ScopeGuard;
import io.muster.controller.auth.MemberTls;
import io.muster.controller.gateway.ServiceGate;
import io.vertx.sqlclient.Pool;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;
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
import io.muster.controller.gateway.LivenessSweeper;
import io.muster.controller.gateway.SessionReconciler;
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
import io.muster.controller.store.EmbeddedDatabase;
import io.muster.controller.store.HostCensus;
import io.muster.controller.store.HostRepository;
import io.muster.controller.task.RunSweeper;
import io.muster.controller.task.TaskService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
 * <p>{@link #start} builds the member in dependency order, each part with what it needs passed to
 * its constructor: the store; the two servers, bound but not serving yet (Hazelcast publishes
 * their real ports as member attributes, so they bind before it starts); the cluster; the
 * services; the gateway; then the servers open with every service and every HTTP part from one
 * list. What started is stopped in reverse order ({@link Teardown}), the servers first.
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
    private final Teardown teardown;
    private boolean stopped;

    /** The parts of a started member that its lifecycle and accessors use. */
    private record Parts(Server grpc, HttpApi http, int httpPort, ClusterMember member, Ownership ownership,
                         SessionDirectory directory, HostRepository hosts, TaskEngine tasks, LifecycleService lifecycle,
                         Rollouts rollouts, Schedules schedules, AgentGatewayService gateway, LivenessSweeper sweeper,
                         Security security, PrometheusMeterRegistry registry) {
    }

    /** The store of a member: PostgreSQL (embedded unless a URL is given), Vert.x and the metrics registry. */
    private record Store(Vertx vertx, Database database, PrometheusMeterRegistry registry) {

        Pool pool() {
            return database.pool();
        }
    }

    /** The cluster side of a member: the Hazelcast member, who owns which host, and the sessions map. */
    private record Cluster(ClusterMember member, Ownership ownership, SessionDirectory directory) {

        HazelcastInstance hazelcast() {
            return member.instance();
        }
    }

    /** The servers, bound before the cluster starts and opened once every part is built. */
    private record Servers(Server grpc, ServiceGate services, HttpApi http, int httpPort, String grpcAddress,
                          String httpAddress) {
    }

    private Controller(String memberId, Parts parts, Teardown teardown) {
        this.memberId = memberId;
        this.parts = parts;
        this.teardown = teardown;
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
        Teardown teardown = new Teardown();
        try {
            return new Controller(memberId, compose(config, sweep, events, memberId, teardown), teardown);
        } catch (RuntimeException e) {
            teardown.run();
            throw e;
        }
    }

    private static Parts compose(ControllerConfig config, RunSweeper.Settings sweep, EventSettings events,
                                 String memberId, Teardown teardown) {
        Clock clock = Clock.systemUTC();
        GatewaySettings settings = new GatewaySettings(config.agentHeartbeat(),
                GatewaySettings.DEFAULT_INVENTORY_LIMIT, HostRepository.DEFAULT_FLUSH_INTERVAL, clock,
                config.maxConnectsInFlight());
        Store store = store(config, teardown);
        Access access = new Access(new ScopeGuard(store.pool()));
        SealingKey key = SealingKey.loadOrCreate(config.secretsKeyFile());
        await(SealedColumns.prepare(store.pool(), key));
        MemberTls tls = await(MemberTls.load(store.pool(), key, config.clusterName(), memberId, config.advertiseHost(),
                config.insecure(), clock));
        Servers servers = bind(config, settings, tls, store, access, teardown);
        Cluster cluster = join(config, memberId, servers, teardown);

        Security security = await(Security.start(store.vertx(), store.pool(), key, cluster.hazelcast(), access, tls, clock,
                store.registry()));
        teardown.onStop("audit log", security::close);
        HostRepository hosts = new HostRepository(store.database(), store.registry());
        teardown.onStop("store flush", hosts::close);
        VitalsSeries vitals = new VitalsSeries(store.vertx(), store.pool(), store.registry(), clock,
                events.vitalsResolution());
        vitals.start(vitalsRound(events.vitalsResolution()));
        teardown.onStop("vitals series", vitals::stop);
        ContainerStatuses containers = new ContainerStatuses(store.vertx(), store.pool(),
                ContainerStatuses.DEFAULT_FLUSH_INTERVAL);
        teardown.onStop(containers::close);
        teardown.onStop("container statuses", containers::flush);
        SessionRegistry sessions = new SessionRegistry();
        HazelcastClusterView clusterView = new HazelcastClusterView(store.vertx(), cluster.member(), cluster.ownership(),
                cluster.directory(), sessions::size);
        // A container load from this cluster's image store gets its download token as a task secret.
        ImageGrants images = new ImageGrants(
                () -> clusterView.members().<Collection<String>>map(members -> members.stream().map(MemberView::http).toList()),
                (digest, taskId, lifetime) -> security.tokens().createGrant("image " + digest + " download",
                        "/api/v1/images/" + digest, null, taskId, lifetime, "tasks").map(TokenSecret::token));
        TaskEngine tasks = new TaskEngine(store.vertx(), store.pool(), key, hosts, store.registry(), memberId, sweep,
                cluster.hazelcast(), cluster.ownership(), images);
        teardown.onStop("task results", tasks::close);
        ArtifactStore artifacts = new ArtifactStore(store.pool());
        LifecycleService lifecycle = new LifecycleService(store.vertx(), new LifecycleRepository(store.pool()),
                tasks.service(), artifacts, security.revocations()::revoke, "http://" + servers.httpAddress(),
                (hostId, version, lifetime) -> security.tokens().createGrant("agent build " + version
                        + " download for host " + hostId, "/api/v1/agent-builds/" + version + "/download", hostId,
                        null, lifetime, "lifecycle").map(TokenSecret::token),
                LifecycleService.DEFAULT_SWEEP_INTERVAL);
        teardown.onStop(lifecycle::close);
        Rollouts rollouts = new Rollouts(store.vertx(), store.pool(), store.database().url().connectOptions(),
                tasks.service(), security.audit(), memberId, cluster.ownership()::isLocal);
        teardown.onStop(rollouts::close);
        tasks.results().onFinished(rollouts::runsFinished);
        Schedules schedules = new Schedules(store.vertx(), store.pool(), tasks.service(), rollouts.service(),
                security.audit(), memberId, cluster.ownership()::isLocal);
        teardown.onStop(schedules::close);

        AgentGatewayService gateway = new AgentGatewayService(memberId, hosts, store.registry(), settings,
                new LifecycleHandler(tasks, store.vertx(), containers, lifecycle), vitals, sessions,
                cluster.ownership(), cluster.directory());
        security.onHostRevoked(hostId -> sessions.find(hostId)
                .ifPresent(session -> session.end(Status.PERMISSION_DENIED, "host " + hostId + " is revoked")));
        WebhookStore webhooks = new WebhookStore(store.pool(), key);
        startEvents(config, events, memberId, store, cluster, vitals, webhooks, teardown);
        LivenessSweeper sweeper = new LivenessSweeper(gateway, hosts, cluster.directory(), () -> cluster.member().isRunning()
                && cluster.hazelcast().getCluster().getMembers().iterator().next().localMember());
        teardown.onStop(sweeper::close);
        cluster.ownership().onChange(change -> sweeper.requestRecheck());
        cluster.ownership().onDeparture(sweeper::memberDeparted);
        SessionReconciler reconciler = new SessionReconciler(gateway, cluster.directory(), cluster.ownership(),
                store.registry());
        teardown.onStop(reconciler::close);
        // A merge replaces this member's copy of the sessions map, and a member joining or leaving
        // may come with late purges or merged entries: re-assert the sessions held here soon after.
        cluster.hazelcast().getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                reconciler.requestPass("merged");
            }
        });
        cluster.ownership().onChange(change -> {
            if (change != Ownership.Change.MIGRATION) {
                reconciler.requestPass(change == Ownership.Change.MEMBER_ADDED ? "member joined" : "member left");
            }
        });

        BindableService fleetControl = MalformedMessages.refused(new FleetControlApi(store.vertx(), hosts, clusterView,
                tasks.service(), rollouts.service(), schedules.service(), store.registry()));
        servers.services().open(security.grpcServices(List.of(MalformedMessages.refused(gateway), fleetControl)));
        security.serveEnrollment(config.listenHost(), config.enrollPort(), MalformedMessages::refused, fleetControl);
        security.authenticate(servers.http());
        // Every HTTP part, from this one list: each declares its own routes with their rules.
        servers.http().mount(List.of(
                new OperationsRoutes(store.vertx(), hosts, store.registry(), clusterView),
                new OpenApiRoutes(),
                security.routes(),
                new HostRoutes(hosts, clusterView),
                new TaskRoutes(store.vertx(), tasks.service()),
                new LifecycleRoutes(lifecycle, containers),
                new ArtifactRoutes(artifacts),
                new WebhookRoutes(webhooks),
                new EventStreamRoutes(store.vertx(), new Outbox(store.pool()), eventSource(config)),
                new HistoryRoutes(new HistoryStore(store.pool()), clock),
                new VitalsRoutes(vitals, clock),
                new FleetRoutes(new HostCensus(store.database())),
                new RolloutRoutes(store.vertx(), rollouts.service()),
                new ScheduleRoutes(schedules.service()),
                new GraphQlApi(store.vertx(), hosts, clusterView, tasks.service(), store.pool(),
                        new TokenCallers(security.tokens(), security.heldTokens()), access,
                        rollouts.service(), schedules.service())));
        // The web console's files at / (after every API route; they need no token).
        new ConsoleFiles().mount(servers.http().router());
        servers.http().open();
        // The servers stop first, before the parts they call flush what they hold.
        teardown.onStop(() -> stopServers(servers));

        if (config.adminTokenFile() != null) {
            await(security.createBootstrapAdmin(config.adminTokenFile(), config.adminTokenLifetime()));
            LOG.info("admin API token in {} (it expires {} after it was written)", config.adminTokenFile(),
                    config.adminTokenLifetime());
        }
        sweeper.start();
        reconciler.start();
        LOG.info("controller member {} started: agents on {}, enrollment and FleetControl on {}, HTTP API on {}, "
                        + "Hazelcast on {}:{} (cluster '{}', {} member(s)), database {}",
                memberId, servers.grpcAddress(), security.enrollmentPort().map(port -> config.advertiseHost() + ":" + port)
                        .orElse(servers.grpcAddress() + " (insecure: no enrollment)"),
                servers.httpAddress(), config.advertiseHost(), cluster.member().port(),
                config.clusterName(), cluster.hazelcast().getCluster().getMembers().size(),
                store.database().url().display());
        return new Parts(servers.grpc(), servers.http(), servers.httpPort(), cluster.member(), cluster.ownership(),
                cluster.directory(), hosts, tasks, lifecycle, rollouts, schedules, gateway, sweeper, security,
                store.registry());
    }

    private static Store store(ControllerConfig config, Teardown teardown) {
        String dbUrl = config.dbUrl();
        if (dbUrl == null) {
            EmbeddedDatabase embedded = EmbeddedDatabase.start(config.dataDir(), 0);
            teardown.onStop(embedded::close);
            dbUrl = embedded.url();
        }
        Vertx vertx = Vertx.vertx();
        teardown.onStop("Vert.x", vertx::close);
        Database database = await(Database.open(vertx, dbUrl, Database.START_WAIT));
        teardown.onStop("database", database::close);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        teardown.onStop(registry::close);
        return new Store(vertx, database, registry);
    }

    /** Binds both servers; until the member opens them, they answer "member starting". */
    private static Servers bind(ControllerConfig config, GatewaySettings settings, MemberTls tls, Store store,
                                Access access, Teardown teardown) {
        ServiceGate services = new ServiceGate(settings.clock());
        Server grpc;
        try {
            grpc = tls.configure(NettyServerBuilder.forAddress(new InetSocketAddress(config.listenHost(), config.grpcPort())))
                    .fallbackHandlerRegistry(services)
                    .maxInboundMessageSize(settings.maxInboundMessageSize())
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind the gRPC port " + config.grpcPort() + ": " + e.getMessage(), e);
        }
        teardown.onStop(() -> stopGrpc(grpc));
        HttpApi http = new HttpApi(store.vertx(), access);
        int httpPort = await(http.listen(config.listenHost(), config.httpPort())).actualPort();
        teardown.onStop("HTTP API", http::close);
        return new Servers(grpc, services, http, httpPort, config.advertiseHost() + ":" + grpc.getPort(),
                config.advertiseHost() + ":" + httpPort);
    }

    /** Starts the Hazelcast member with the servers' addresses and waits for its partition table. */
    private static Cluster join(ControllerConfig config, String memberId, Servers servers, Teardown teardown) {
        ClusterMember member = ClusterMember.start(config.cluster(), memberId, servers.grpcAddress(),
                servers.httpAddress());
        teardown.onStop(member::shutdownGracefully);
        Ownership ownership = new Ownership(member.instance());
        awaitPartitionTable(ownership);
        return new Cluster(member, ownership, new SessionDirectory(member.instance()));
    }

    /** The outbox relay (to Kafka and the webhook queue), the webhook dispatcher and the retention sweeps. */
    private static void startEvents(ControllerConfig config, EventSettings events, String memberId, Store store,
                                    Cluster cluster, VitalsSeries vitals, WebhookStore webhooks, Teardown teardown) {
        Clock clock = Clock.systemUTC();
        List<EventSink> sinks = new ArrayList<>();
        URI source = eventSource(config);
        if (events.kafkaBootstrap() != null) {
            sinks.add(new KafkaSink(store.vertx(), events.kafkaBootstrap(), events.kafkaTopic(), source, "muster-" + memberId));
        }
        sinks.add(new WebhookQueue(webhooks, source));
        WebhookDispatcher dispatcher = new WebhookDispatcher(store.vertx(), webhooks,
                WebhookDispatcher.ownedBy(cluster.ownership()), events.webhookRetry(), events.webhookBackoff(), clock);
        teardown.onStop(dispatcher::close);
        OutboxRelay relay = new OutboxRelay(store.vertx(), new Outbox(store.pool()),
                OutboxRelay.ownedBy(cluster.ownership()), sinks, events.relayInterval(), events.relayBatch(),
                events.retention(), clock, store.registry());
        teardown.onStop(relay::close);
        HistoryRetention history = new HistoryRetention(store.vertx(), new HistoryStore(store.pool()),
                events.historyRetention());
        teardown.onStop(history::close);
        HistoryRetention vitalsRetention = new HistoryRetention(store.vertx(), "vitals series",
                () -> vitals.maintain(events.vitalsRetention()));
        teardown.onStop(vitalsRetention::close);
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
        return parts.grpc().getPort();
    }

    /** The enrollment port (Enrollment and FleetControl without client certificates); empty when insecure. */
    public java.util.Optional<Integer> enrollPort() {
        return parts.security().enrollmentPort();
    }

    public int httpPort() {
        return parts.httpPort();
    }

    public int hazelcastPort() {
        return parts.member().port();
    }

    /** The agent sessions this member holds. */
    public SessionRegistry sessions() {
        return parts.gateway().sessions();
    }

    /** Which member owns a host, per this member's partition table. */
    public Ownership ownership() {
        return parts.ownership();
    }

    /** The cluster-wide sessions map. */
    public SessionDirectory sessionDirectory() {
        return parts.directory();
    }

    public HostRepository hosts() {
        return parts.hosts();
    }

    /** Tasks: accept, cancel, read. */
    public TaskService tasks() {
        return parts.tasks().service();
    }

    /** The task side of this member (dispatch, results, sweeper). */
    public TaskEngine taskEngine() {
        return parts.tasks();
    }

    /** Host lifecycle: actions, operations, reconnect checks. */
    public LifecycleService lifecycle() {
        return parts.lifecycle();
    }

    /** Rollouts: accept, read, pause, resume, abort. */
    public io.muster.controller.rollout.RolloutService rollouts() {
        return parts.rollouts().service();
    }

    /** Schedules: create, read, change, pause, resume, delete. */
    public io.muster.controller.schedule.ScheduleService schedules() {
        return parts.schedules().service();
    }

    /** The HTTP API's router, with every route mounted (the OpenAPI conformance test reads it). */
    public io.vertx.ext.web.Router httpRouter() {
        return parts.http().router();
    }

    /** The HTTP routes every part declared, each with its rule (the rule test reads them). */
    public io.muster.controller.http.Routes httpRoutes() {
        return parts.http().routes();
    }

    /** The services of the gRPC servers, agent and enrollment port (the rule test reads their methods). */
    public List<io.grpc.ServerServiceDefinition> grpcServices() {
        List<io.grpc.ServerServiceDefinition> services = new ArrayList<>(parts.grpc().getServices());
        services.addAll(parts.security().enrollmentServices());
        return services;
    }

    /** Tokens, enrollment, the cluster CA, revocations and the audit log. */
    public Security security() {
        return parts.security();
    }

    /** The registry served at /metrics. */
    public PrometheusMeterRegistry meterRegistry() {
        return parts.registry();
    }

    /** The gateway service (for plugging in task dispatch). */
    public AgentGatewayService gateway() {
        return parts.gateway();
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
        parts.gateway().beginShutdown();
        parts.sweeper().leaving();
        List<AgentGatewayService.Target> others = otherMembers();
        if (others.isEmpty()) {
            parts.gateway().closeAll("controller shutting down");
            parts.member().shutdownGracefully();
        } else {
            handOverWhileLeaving(others);
        }
        teardown.run();
        LOG.info("controller member {} stopped", memberId);
    }

    private List<AgentGatewayService.Target> otherMembers() {
        List<AgentGatewayService.Target> others = new ArrayList<>();
        if (!parts.member().isRunning()) {
            return others;
        }
        for (Member member : parts.member().instance().getCluster().getMembers()) {
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
                parts.gateway().recheckOwnership("shutdown");
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
            parts.member().shutdownGracefully();
        } finally {
            follower.interrupt();
            try {
                follower.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int rest = parts.gateway().handOverRemaining(others);
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
        parts.gateway().halt();
        parts.member().terminate();
        parts.grpc().shutdownNow();
        teardown.run();
    }

    /** Closed vitals buckets are written a quarter bucket after they close at the latest (every 10 s at most). */
    private static Duration vitalsRound(Duration resolution) {
        return Duration.ofMillis(Math.max(250, Math.min(10_000, resolution.toMillis() / 4)));
    }

    private static void stopServers(Servers servers) {
        stopGrpc(servers.grpc());
        Teardown.quietly("HTTP API", servers.http().close());
    }

    private static void stopGrpc(Server grpc) {
        grpc.shutdown();
        try {
            if (!grpc.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                grpc.shutdownNow();
            }
        } catch (InterruptedException e) {
            grpc.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** What has started so far, stopped in reverse order; a stop that fails is logged and the rest still run. */
    private static final class Teardown {

        private final Deque<Runnable> steps = new ArrayDeque<>();

        synchronized void onStop(Runnable step) {
            steps.push(step);
        }

        /** A stop that completes asynchronously; waited for before the next one runs. */
        void onStop(String what, Supplier<Future<?>> step) {
            onStop(() -> quietly(what, step.get()));
        }

        synchronized void run() {
            while (!steps.isEmpty()) {
                Runnable step = steps.pop();
                try {
                    step.run();
                } catch (RuntimeException e) {
                    LOG.warn("a part did not stop cleanly: {}", e.toString());
                }
            }
        }

        static void quietly(String what, Future<?> closing) {
            try {
                await(closing);
            } catch (RuntimeException e) {
                LOG.warn("{} did not stop cleanly: {}", what, e.getMessage());
            }
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
