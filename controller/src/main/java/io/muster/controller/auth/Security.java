package io.muster.controller.auth;

import com.hazelcast.core.HazelcastInstance;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.controller.access.Access;
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
import java.util.function.UnaryOperator;

/**
 * Who may do what, assembled for one controller member: the cluster CA and this member's gateway
 * certificate, agent admission (mTLS host binding, revocation), enrollment, API tokens with roles
 * and scopes on REST and gRPC, and the audit log.
 *
 * <p>Lifecycle: {@link #start} once the member is in the cluster (with the {@link MemberTls} its
 * gRPC server bound with), before the APIs open; {@link #close} before the database closes.
 * Accessors are thread-safe.
 */
public final class Security {

    private final MemberTls tls;
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
    private final GrantProofs grantProofs;
    private volatile Server enrollmentServer;

    private Security(MemberTls tls, CaStore store, Revocations revocations, Access access, Pool pool, Vertx vertx,
                     Clock clock, SecureRandom random, MeterRegistry registry) {
        this.tls = tls;
        CertificateAuthority ca = tls.ca();
        this.revocations = revocations;
        this.tokens = new ApiTokens(pool, clock, random);
        this.heldTokens = new HeldTokens(vertx, tokens, clock);
        this.enrollmentTokens = new EnrollmentTokens(pool, clock, random);
        this.audit = new AuditLog(vertx, pool, clock, registry);
        this.unauthenticated = new UnauthenticatedLimit(registry, System::nanoTime);
        this.access = access;
        this.admission = new AgentAdmission(vertx, revocations, tls.insecure());
        this.fleetAuthorization = new FleetAuthorization(tokens, heldTokens, access, audit, unauthenticated);
        this.enrollment = new EnrollmentService(ca, store, enrollmentTokens, revocations, audit, pool);
        this.grantProofs = new GrantProofs(ca, revocations, pool, clock, tls.insecure());
        this.routes = new AuthRoutes(tokens, enrollmentTokens, revocations, audit, ca);
    }

    /**
     * Loads the revoked hosts and listens for revocations on the cluster.
     *
     * @param access the rules engine the HTTP API was built with
     * @param tls    the CA and gateway certificate the member's gRPC server was bound with
     * @param key    seals the CA private key in the database
     */
    public static Future<Security> start(Vertx vertx, Pool pool, SealingKey key, HazelcastInstance hazelcast,
                                         Access access, MemberTls tls, Clock clock, MeterRegistry registry) {
        Revocations revocations = new Revocations(vertx, pool, hazelcast);
        return revocations.start()
                .map(x -> new Security(tls, new CaStore(pool, key), revocations, access, pool, vertx, clock, new SecureRandom(), registry))
                .onFailure(e -> revocations.close());
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

    /** Called on every member for every host revoked anywhere (the gateway closes its session). */
    public void onHostRevoked(Consumer<String> listener) {
        revocations.onRevoked(listener);
    }

    public boolean insecure() {
        return tls.insecure();
    }

    /** The gateway's TLS, empty when insecure. */
    public Optional<GatewayTls> gatewayTls() {
        return tls.gatewayTls();
    }

    /**
     * The agent port's services ({@code services}), each behind agent admission and the
     * FleetControl token rules. Enrollment is not served there: see {@link #serveEnrollment}.
     */
    public List<ServerServiceDefinition> grpcServices(List<BindableService> services) {
        // The last interceptor runs first: admission, then the token rules.
        return services.stream().map(service -> ServerInterceptors.intercept(service, fleetAuthorization, admission))
                .toList();
    }

    /**
     * Starts the enrollment port (unless insecure: certificates over plaintext would mean nothing):
     * TLS with this member's certificate and no client certificate, serving Enrollment and
     * {@code apiServices} (FleetControl, whose callers carry tokens, not certificates), with the
     * same interceptors and per-connection call limit. Closed by {@link #close}.
     *
     * @param port  0 picks a free one
     * @param guard wraps the Enrollment service as the composition root wraps the others (a request
     *              that does not parse refused with the parser's reason)
     * @throws UncheckedIOException with one sentence when the port cannot be bound
     */
    public void serveEnrollment(String host, int port, UnaryOperator<BindableService> guard, BindableService... apiServices) {
        if (tls.insecure()) {
            return;
        }
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .sslContext(tls.gateway().enrollmentContext())
                .addService(guard.apply(enrollment))
                .intercept(fleetAuthorization)
                .intercept(admission)
                .maxConcurrentCallsPerConnection(MemberTls.CALLS_PER_CONNECTION);
        for (BindableService service : apiServices) {
            builder.addService(service);
        }
        try {
            enrollmentServer = builder.build().start();
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

    public CertificateAuthority ca() {
        return tls.ca();
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
