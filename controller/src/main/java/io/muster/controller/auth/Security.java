package io.muster.controller.auth;

import io.micrometer.core.instrument.MeterRegistry;
import com.hazelcast.core.HazelcastInstance;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerInterceptor;
import io.grpc.netty.NettyServerBuilder;
import io.muster.controller.access.Access;
import io.muster.controller.access.ScopeGuard;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.HttpApi;
import io.muster.controller.sealing.SealingKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may do what, assembled for one controller member: the cluster CA and this member's gateway
 * certificate, agent admission (mTLS host binding, revocation), enrollment, API tokens with roles
 * and scopes on REST and gRPC, and the audit log.
 *
 * <p>Lifecycle: {@link #start} before the servers are built; {@link #configure} on the agent
 * port's server and {@link #serveEnrollment} once; {@link #authenticate} on the HTTP API before it listens; {@link #attach} once the Hazelcast member runs; {@link #close} before the
 * database closes. Accessors are thread-safe.
 */
public final class Security {

    private static final Logger LOG = LoggerFactory.getLogger(Security.class);
    /**
     * Concurrent calls one TLS connection may hold: an agent needs one Connect stream, an API
     * client a few watches (at most 8 per token) and calls. A client that opens more is refused
     * stream by stream (HTTP/2 REFUSED_STREAM), so one connection cannot pile up idle streams.
     */
    public static final int CALLS_PER_CONNECTION = 16;
    /**
     * The same on a plaintext (insecure) gateway, where the simulator puts up to 500 agents on one
     * connection (its --agents-per-channel default) and no certificate ties a connection to a host.
     */
    public static final int PLAINTEXT_CALLS_PER_CONNECTION = 1_000;

    private final boolean insecure;
    private final CertificateAuthority ca;
    private final GatewayTls tls;
    private final Revocations revocations;
    private final ApiTokens tokens;
    private final HeldTokens heldTokens;
    private final EnrollmentTokens enrollmentTokens;
    private final AuditLog audit;
    private final UnauthenticatedLimit unauthenticated;
    private final AgentAdmission admission;
    private final FleetAuthorization fleetAuthorization;
    private final EnrollmentService enrollment;
    private final Access access;
    private final AuthRoutes routes;
    private volatile Server enrollmentServer;
    private final GrantProofs grantProofs;

    private Security(boolean insecure, CertificateAuthority ca, CaStore store, GatewayTls tls, Revocations revocations,
                     Pool pool, Vertx vertx, Clock clock, SecureRandom random, MeterRegistry registry) {
        this.insecure = insecure;
        this.ca = ca;
        this.tls = tls;
        this.revocations = revocations;
        this.tokens = new ApiTokens(pool, clock, random);
        this.heldTokens = new HeldTokens(vertx, tokens, clock);
        this.enrollmentTokens = new EnrollmentTokens(pool, clock, random);
        this.audit = new AuditLog(vertx, pool, clock, registry);
        this.unauthenticated = new UnauthenticatedLimit(registry, System::nanoTime);
        this.access = new Access(new ScopeGuard(pool));
        this.admission = new AgentAdmission(vertx, revocations, insecure);
        this.fleetAuthorization = new FleetAuthorization(tokens, heldTokens, access, audit, unauthenticated);
        this.enrollment = new EnrollmentService(ca, store, enrollmentTokens, revocations, audit, pool);
        this.routes = new AuthRoutes(tokens, enrollmentTokens, revocations, audit, ca);
        this.grantProofs = new GrantProofs(ca, revocations, pool, clock, insecure);
    }

    /**
     * Loads (or, on the first member ever, creates) the cluster CA, loads the revoked hosts, and
     * unless {@code insecure} issues this member's gateway certificate.
     *
     * @param key seals the CA private key in the database (checked by
     *            {@link io.muster.controller.sealing.SealedColumns#prepare} before this)
     */
    public static Future<Security> start(Vertx vertx, Pool pool, SealingKey key, String clusterName, String memberId, String advertiseHost,
                                         boolean insecure, Clock clock, MeterRegistry registry) {
        SecureRandom random = new SecureRandom();
        CaStore store = new CaStore(pool, key);
        Revocations revocations = new Revocations(vertx, pool);
        return store.loadOrCreate(clusterName, clock, random).compose(ca -> revocations.start().compose(x -> {
            if (insecure) {
                LOG.warn("INSECURE: the agent gateway is plaintext and agents are not authenticated by certificate "
                        + "(--insecure is for demos and tests only)");
                return Future.succeededFuture(new Security(true, ca, store, null, revocations, pool, vertx, clock, random, registry));
            }
            GatewayTls tls = GatewayTls.issue(ca, memberId, advertiseHost, random);
            return store.recordIssued("server", memberId, tls.certificate())
                    .map(y -> new Security(false, ca, store, tls, revocations, pool, vertx, clock, random, registry));
        })).onFailure(e -> revocations.close());
    }

    /**
     * Authenticates /api/v1/* and /graphql on the HTTP API (each route then applies its own rule)
     * and audits its mutating calls.
     */
    public void authenticate(HttpApi http) {
        Router router = http.router();
        // The body is read before the (asynchronous) token check; the API's own body handler then
        // sees it was read and steps aside. An artifact upload is not read (it streams to the store,
        // up to gigabytes): it is paused here, synchronously, before any of it can be lost, and
        // its route resumes it once the token passed.
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(HttpApi.MAX_BODY_BYTES);
        router.route().order(-2).handler(ctx -> {
            if (HttpApi.streamsBody(ctx.request())) {
                ctx.request().pause();
                ctx.next();
            } else {
                bodies.handle(ctx);
            }
        });
        router.route().order(-1).handler(new AuthHandler(tokens, grantProofs, audit, unauthenticated, http.routes()::isOpen));
    }

    /** Checks that a download grant comes from the host it is for. */
    public GrantProofs grantProofs() {
        return grantProofs;
    }

    /** The token, enrollment-token, revoke, audit and CA certificate routes. */
    public ApiPart routes() {
        return routes;
    }

    /** The rules engine every API operation goes through. */
    public Access access() {
        return access;
    }

    /** Revocations reach every member through the cluster from now on. */
    public void attach(HazelcastInstance hazelcast) {
        revocations.attach(hazelcast);
    }

    /** Called on every member for every host revoked anywhere (the gateway closes its session). */
    public void onHostRevoked(Consumer<String> listener) {
        revocations.onRevoked(listener);
    }

    public boolean insecure() {
        return insecure;
    }

    /** The gateway's TLS, empty when insecure. */
    public Optional<GatewayTls> gatewayTls() {
        return Optional.ofNullable(tls);
    }

    /**
     * The agent port's server: this member's TLS requiring a client certificate (unless insecure),
     * the interceptors (agent admission, FleetControl token rules) and the per-connection call
     * limit. Enrollment is not served here: see {@link #serveEnrollment}.
     */
    public NettyServerBuilder configure(NettyServerBuilder builder) {
        if (tls != null) {
            builder.sslContext(tls.agentContext());
        }
        return limited(builder);
    }

    private NettyServerBuilder limited(NettyServerBuilder builder) {
        for (ServerInterceptor interceptor : interceptors()) {
            builder.intercept(interceptor);
        }
        return builder.maxConcurrentCallsPerConnection(insecure ? PLAINTEXT_CALLS_PER_CONNECTION : CALLS_PER_CONNECTION);
    }

    /**
     * Starts the enrollment port (unless insecure): TLS with this member's certificate and no
     * client certificate, serving Enrollment and {@code apiServices} (FleetControl, whose callers
     * carry tokens, not certificates). Closed by {@link #close}.
     *
     * @param port 0 picks a free one
     * @throws UncheckedIOException with one sentence when the port cannot be bound
     */
    public void serveEnrollment(String host, int port, BindableService... apiServices) {
        if (tls == null) {
            return;
        }
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .sslContext(tls.enrollmentContext())
                .addService(enrollment);
        for (BindableService service : apiServices) {
            builder.addService(service);
        }
        try {
            enrollmentServer = limited(builder).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind the enrollment port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The enrollment port's bound port, empty when insecure (no enrollment) or not started. */
    public Optional<Integer> enrollmentPort() {
        return Optional.ofNullable(enrollmentServer).map(Server::getPort);
    }

    /** The services of the enrollment port (none when insecure). */
    public List<ServerServiceDefinition> enrollmentServices() {
        return enrollmentServer == null ? List.of() : enrollmentServer.getServices();
    }

    /** Interceptors for the gRPC server: agent admission and the FleetControl token rules. */
    public ServerInterceptor[] interceptors() {
        return new ServerInterceptor[] {fleetAuthorization, admission};
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public ApiTokens tokens() {
        return tokens;
    }

    /** The tokens of open streams (GraphQL WebSockets, gRPC watches), ended when a token is revoked or expires. */
    public HeldTokens heldTokens() {
        return heldTokens;
    }

    public EnrollmentTokens enrollmentTokens() {
        return enrollmentTokens;
    }

    public Revocations revocations() {
        return revocations;
    }

    public AuditLog audit() {
        return audit;
    }

    /** See {@link ApiTokens#createBootstrapAdmin}. */
    public Future<String> createBootstrapAdmin(Path file, Duration lifetime) {
        return tokens.createBootstrapAdmin("bootstrap admin", file, lifetime);
    }

    /** Stops the enrollment port and the timers, and writes the queued audit events. */
    public Future<Void> close() {
        Server server = enrollmentServer;
        if (server != null) {
            server.shutdownNow();
        }
        revocations.close();
        heldTokens.close();
        return audit.close();
    }
}
