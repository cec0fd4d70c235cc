package io.muster.agent.enrollment;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust on first use, for the one Enroll call only: the agent does not know the cluster CA yet,
 * so it accepts the controller's chain, remembers it, and the enroller then checks that the CA
 * the controller returns is the one that signed this chain (and, with --ca-cert, the pinned one).
 * Client side only; thread-safe.
 */
final class FirstUseTrust extends X509ExtendedTrustManager {

    private final AtomicReference<List<X509Certificate>> seen = new AtomicReference<>(List.of());

    /** The chain the server presented, leaf first; empty before the handshake. */
    List<X509Certificate> chain() {
        return seen.get();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
        seen.set(List.of(chain));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        seen.set(List.of(chain));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        seen.set(List.of(chain));
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
