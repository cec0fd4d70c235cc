package io.muster.agent.enrollment;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Gets the agent its client TLS context at start: an agent already enrolled uses its files; one
 * with an enrollment token enrolls first (trying the controllers' enrollment ports in order); one with neither
 * is told how to enroll. Blocking; call it from the agent's start.
 */
public final class AgentTls {

    private AgentTls() {
    }

    /**
     * @param enrollControllers the controllers' enrollment ports, "host:port", tried in order
     * @param caCert pinned cluster CA certificate (PEM file) or null for trust on first use
     * @throws EnrollmentException when the agent is not enrolled and cannot enroll
     */
    public static SslContext prepare(List<String> enrollControllers, Path dataDir, String enrollToken, Path caCert,
                                     String hostId, String hostname) {
        AgentCredentials credentials = new AgentCredentials(dataDir);
        if (!credentials.present()) {
            if (enrollToken == null || enrollToken.isBlank()) {
                throw new EnrollmentException("this agent has no certificate in " + credentials.directory()
                        + ": start it once with --enroll-token-file FILE (or --insecure against an insecure controller)");
            }
            X509Certificate pinned = caCert == null ? null : readCa(caCert);
            Enroller enroller = new Enroller(new SecureRandom());
            EnrollmentException last = null;
            for (String address : enrollControllers) {
                try {
                    enroller.enroll(address, enrollToken.strip(), hostId, hostname, pinned, credentials);
                    last = null;
                    break;
                } catch (EnrollmentException e) {
                    last = e;
                }
            }
            if (last != null) {
                throw last;
            }
        }
        return credentials.clientContext();
    }

    private static X509Certificate readCa(Path file) {
        try {
            return AgentCredentials.parse(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA certificate " + file, e);
        } catch (IllegalArgumentException e) {
            throw new EnrollmentException(file + " does not hold a PEM certificate", e);
        }
    }
}
