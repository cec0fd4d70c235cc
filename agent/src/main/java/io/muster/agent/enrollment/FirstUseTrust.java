package io.muster.agent.enrollment;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust of the one Enroll call. With a pinned CA ({@code --ca-cert}) the handshake itself
 * fails unless the controller's certificate is signed by it, so the enrollment token is never sent
 * to a controller that is not the pinned cluster's. Without one it is trust on first use: the
 * chain is accepted and remembered, and the enroller then checks that the CA the controller returns
 * signed it. Client side only; thread-safe.
 */
final class FirstUseTrust extends X509ExtendedTrustManager {

    private final AtomicReference<List<X509Certificate>> seen = new AtomicReference<>(List.of());
    private final X509Certificate pinned;

    /** @param pinned the cluster CA the controller's certificate must be signed by, or null for trust on first use */
    FirstUseTrust(X509Certificate pinned) {
        this.pinned = pinned;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (pinned != null) {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the controller presented no certificate");
            }
            try {
                chain[0].verify(pinned.getPublicKey());
                chain[0].checkValidity();
            } catch (java.security.GeneralSecurityException e) {
                throw new CertificateException("the controller's certificate is not signed by the pinned CA "
                        + AgentCredentials.fingerprint(pinned) + " (--ca-cert); the enrollment token was not sent");
            }
        }
        seen.set(List.of(chain));
    }

    /** The chain the server presented, leaf first; empty before the handshake. */
    List<X509Certificate> chain() {
        return seen.get();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the agent accepts no client connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the agent accepts no client connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the agent accepts no client connections");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
