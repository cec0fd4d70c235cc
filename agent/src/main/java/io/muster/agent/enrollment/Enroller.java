package io.muster.agent.enrollment;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.muster.proto.v1.EnrollRequest;
import io.muster.proto.v1.EnrollResponse;
import io.muster.proto.v1.EnrollmentGrpc;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolls this agent: generates an EC P-256 key pair, sends a CSR for its host id with the
 * enrollment token over TLS, and stores key, certificate and CA in {@link AgentCredentials}.
 *
 * <p>The agent does not know the cluster CA yet: this one call trusts the controller on first use
 * and logs the CA's SHA-256 fingerprint; with a pinned CA certificate the TLS handshake fails
 * unless the controller's certificate is signed by it, before the token is sent. Either way the CA returned must be the one that signed the controller's certificate, and
 * the issued certificate must be signed by it. Blocking; call it from a startup thread.
 */
public final class Enroller {

    private static final Logger LOG = LoggerFactory.getLogger(Enroller.class);
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SecureRandom random;

    public Enroller(SecureRandom random) {
        this.random = random;
    }

    /**
     * @param address  a controller's enrollment port, "host:port"
     * @param pinnedCa the cluster CA the operator expects, or null for trust on first use
     * @throws EnrollmentException with one sentence when the controller refuses or cannot be trusted
     */
    public AgentCredentials enroll(String address, String token, String hostId, String hostname,
                                   X509Certificate pinnedCa, AgentCredentials credentials) {
        KeyPair pair = keyPair();
        byte[] csr = csr(hostId, pair);
        FirstUseTrust trust = new FirstUseTrust(pinnedCa);
        ManagedChannel channel = channel(address, trust);
        EnrollResponse response;
        try {
            response = EnrollmentGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .enroll(EnrollRequest.newBuilder()
                            .setToken(token)
                            .setHostId(hostId)
                            .setCsrDer(ByteString.copyFrom(csr))
                            .setHostname(hostname == null ? "" : hostname)
                            .build());
        } catch (StatusRuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof java.security.cert.CertificateException refused && pinnedCa != null) {
                    throw new EnrollmentException("the controller at " + address + " failed the TLS handshake: "
                            + refused.getMessage(), e);
                }
            }
            throw new EnrollmentException("the controller at " + address + " refused enrollment: "
                    + e.getStatus().getCode() + " " + (e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription()), e);
        } finally {
            channel.shutdownNow();
        }
        X509Certificate ca = AgentCredentials.parse(response.getCaCertificatePem());
        X509Certificate issued = AgentCredentials.parse(response.getCertificatePem());
        verify(address, trust.chain(), ca, pinnedCa, issued, pair);
        LOG.info("enrolled host {} with the controller at {}; cluster CA SHA-256 fingerprint {}{}", hostId, address,
                AgentCredentials.fingerprint(ca), pinnedCa == null ? " (trusted on first use)" : " (pinned)");
        credentials.store(pem(pair.getPrivate()), response.getCertificatePem(), response.getCaCertificatePem());
        return credentials;
    }

    private static void verify(String address, List<X509Certificate> chain, X509Certificate ca, X509Certificate pinnedCa,
                               X509Certificate issued, KeyPair pair) {
        if (pinnedCa != null && !pinnedCa.equals(ca)) {
            throw new EnrollmentException("the controller at " + address + " returned CA " + AgentCredentials.fingerprint(ca)
                    + ", not the pinned " + AgentCredentials.fingerprint(pinnedCa));
        }
        if (chain.isEmpty() || !signedBy(chain.get(0), ca)) {
            throw new EnrollmentException("the controller at " + address
                    + " presented a certificate that its own CA did not sign; refusing to trust it");
        }
        if (!signedBy(issued, ca) || !issued.getPublicKey().equals(pair.getPublic())) {
            throw new EnrollmentException("the certificate returned by " + address + " is not for this agent's key or not from the CA");
        }
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private ManagedChannel channel(String address, FirstUseTrust trust) {
        try {
            SslContext context = GrpcSslContexts.forClient().trustManager(trust).build();
            return NettyChannelBuilder.forTarget(address).sslContext(context).build();
        } catch (SSLException e) {
            throw new EnrollmentException("cannot set up TLS for enrollment: " + e.getMessage(), e);
        }
    }

    private KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available in this JVM", e);
        }
    }

    private byte[] csr(String hostId, KeyPair pair) {
        try {
            PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(
                    new X500Name("CN=" + hostId.replaceAll("[,+=\"\\\\<>;]", "_")), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").setSecureRandom(random).build(pair.getPrivate()));
            return request.getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot create the certificate signing request: " + e.getMessage(), e);
        }
    }

    private static String pem(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator((java.security.PrivateKey) object, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
