package io.muster.controller.auth;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Reads the host id out of an agent's client certificate. Stateless and thread-safe. */
public final class HostCertificates {

    private static final int SAN_URI = 6;

    private HostCertificates() {
    }

    /** The host id of the SAN URI {@code muster:host:<id>}, or empty when the certificate has none. */
    public static Optional<String> hostId(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
        if (names == null) {
            return Optional.empty();
        }
        for (List<?> name : names) {
            if (name.size() == 2 && Integer.valueOf(SAN_URI).equals(name.get(0)) && name.get(1) instanceof String uri
                    && uri.startsWith(CertificateAuthority.HOST_URI_PREFIX)) {
                String hostId = uri.substring(CertificateAuthority.HOST_URI_PREFIX.length());
                return hostId.isEmpty() ? Optional.empty() : Optional.of(hostId);
            }
        }
        return Optional.empty();
    }
}
