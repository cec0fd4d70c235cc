package io.muster.controller.auth;

import io.grpc.netty.NettyServerBuilder;
import io.muster.controller.sealing.SealingKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster CA and this member's gateway certificate: what the gRPC server needs before it
 * binds, which is before the member joins the cluster (the rest of {@link Security} comes after).
 *
 * @param ca      the cluster CA, shared by every member through PostgreSQL
 * @param gateway this member's server certificate and TLS context; null when insecure
 */
public record MemberTls(CertificateAuthority ca, GatewayTls gateway) {

    private static final Logger LOG = LoggerFactory.getLogger(MemberTls.class);
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

    /**
     * Loads (or, on the first member ever, creates) the cluster CA and, unless {@code insecure},
     * issues this member's gateway certificate and records it.
     *
     * @param key seals the CA private key in the database (checked by
     *            {@link io.muster.controller.sealing.SealedColumns#prepare} before this)
     */
    public static Future<MemberTls> load(Pool pool, SealingKey key, String clusterName, String memberId,
                                         String advertiseHost, boolean insecure, Clock clock) {
        SecureRandom random = new SecureRandom();
        CaStore store = new CaStore(pool, key);
        return store.loadOrCreate(clusterName, clock, random).compose(ca -> {
            if (insecure) {
                LOG.warn("INSECURE: the agent gateway is plaintext and agents are not authenticated by certificate "
                        + "(--insecure is for demos and tests only)");
                return Future.succeededFuture(new MemberTls(ca, null));
            }
            GatewayTls tls = GatewayTls.issue(ca, memberId, advertiseHost, random);
            return store.recordIssued("server", memberId, tls.certificate()).map(y -> new MemberTls(ca, tls));
        });
    }

    public boolean insecure() {
        return gateway == null;
    }

    /** The gateway's TLS, empty when insecure. */
    public Optional<GatewayTls> gatewayTls() {
        return Optional.ofNullable(gateway);
    }

    /**
     * The agent port's server: this member's TLS requiring a client certificate (plaintext when
     * insecure) and the per-connection call limit.
     */
    public NettyServerBuilder configure(NettyServerBuilder builder) {
        if (gateway == null) {
            return builder.maxConcurrentCallsPerConnection(PLAINTEXT_CALLS_PER_CONNECTION);
        }
        return builder.sslContext(gateway.agentContext()).maxConcurrentCallsPerConnection(CALLS_PER_CONNECTION);
    }
}
