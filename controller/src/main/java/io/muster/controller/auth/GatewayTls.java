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
 * The TLS side of a member's gateway port: a server certificate issued by the cluster CA at start
 * (chain: server, CA, so that an enrolling agent sees the CA), client certificates requested but
 * optional at the TLS layer (Enroll is called without one; {@link AgentAdmission} requires one on
 * Connect), and only the cluster CA trusted for them.
 */
public final class GatewayTls {

    private final X509Certificate certificate;
    private final SslContext context;

    private GatewayTls(X509Certificate certificate, SslContext context) {
        this.certificate = certificate;
        this.context = context;
    }

    public static GatewayTls issue(CertificateAuthority ca, String memberId, String advertiseHost, SecureRandom random) {
        KeyPair pair = CertificateAuthority.newKeyPair(random);
        X509Certificate certificate = ca.issueServer(memberId, advertiseHost, pair.getPublic());
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(pair.getPrivate(), certificate, ca.certificate())
                    .trustManager(ca.certificate())
                    .clientAuth(ClientAuth.OPTIONAL);
            return new GatewayTls(certificate, GrpcSslContexts.configure(builder, SslProvider.JDK).build());
        } catch (SSLException e) {
            throw new IllegalStateException("could not set up TLS for the gateway: " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** For {@code NettyServerBuilder.sslContext}. */
    public SslContext sslContext() {
        return context;
    }
}
