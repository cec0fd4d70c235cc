package io.muster.controller.auth;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * The TLS sides of a member's gRPC ports, with one server certificate issued by the cluster CA at
 * start (chain: server, CA, so that an enrolling agent sees the CA). The agent port requires a
 * client certificate signed by the cluster CA in the handshake: a caller without one never gets
 * to open a stream. The enrollment port asks for none: an agent enrolls there before it has a
 * certificate, and API clients (FleetControl) authenticate with tokens.
 */
public final class GatewayTls {

    private final X509Certificate certificate;
    private final SslContext agents;
    private final SslContext enrollment;

    private GatewayTls(X509Certificate certificate, SslContext agents, SslContext enrollment) {
        this.certificate = certificate;
        this.agents = agents;
        this.enrollment = enrollment;
    }

    public static GatewayTls issue(CertificateAuthority ca, String memberId, String advertiseHost, SecureRandom random) {
        KeyPair pair = CertificateAuthority.newKeyPair(random);
        X509Certificate certificate = ca.issueServer(memberId, advertiseHost, pair.getPublic());
        try {
            SslContext agents = GrpcSslContexts.configure(SslContextBuilder.forServer(pair.getPrivate(), certificate, ca.certificate())
                    .trustManager(ca.certificate())
                    .clientAuth(ClientAuth.REQUIRE), SslProvider.JDK).build();
            SslContext enrollment = GrpcSslContexts.configure(SslContextBuilder.forServer(pair.getPrivate(), certificate, ca.certificate())
                    .clientAuth(ClientAuth.NONE), SslProvider.JDK).build();
            return new GatewayTls(certificate, agents, enrollment);
        } catch (SSLException e) {
            throw new IllegalStateException("could not set up TLS for the gateway: " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The agent port's TLS (client certificate required), for {@code NettyServerBuilder.sslContext}. */
    public SslContext agentContext() {
        return agents;
    }

    /** The enrollment port's TLS (no client certificate). */
    public SslContext enrollmentContext() {
        return enrollment;
    }
}
