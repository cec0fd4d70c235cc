package io.muster.cli.agent;

import io.muster.agent.enrollment.AgentCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the agent's enrollment token comes from, and its disposal. The token is needed once,
 * while {@code <data-dir>/tls} holds no certificate. With {@code --enroll-token-file} it never
 * travels on a command line: the agent JVM reads the file (the supervisor script passes only its
 * path on); once the agent is enrolled the file is deleted, so a used token does not stay on the host.
 */
final class EnrollmentToken {

    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentToken.class);

    private EnrollmentToken() {
    }

    /** True when this host already has its certificate: no token is needed. */
    static boolean enrolled(Path dataDir) {
        return new AgentCredentials(dataDir).present();
    }

    /**
     * The token in {@code file}, or null when the file does not exist (an enrolled host's file was
     * consumed before).
     */
    static String read(Path file) {
        if (file == null || !Files.exists(file)) {
            return null;
        }
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("the enrollment token file " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the enrollment token file " + file, e);
        }
    }

    /** Deletes the token file once the host is enrolled; does nothing before. @return true when deleted */
    static boolean discardIfEnrolled(Path file, Path dataDir) {
        if (file == null || !enrolled(dataDir)) {
            return false;
        }
        try {
            if (Files.deleteIfExists(file)) {
                LOG.info("enrolled: deleted the enrollment token file {}", file);
                return true;
            }
            return false;
        } catch (IOException e) {
            LOG.warn("enrolled, but cannot delete the enrollment token file {}: {}", file, e.getMessage());
            return false;
        }
    }
}
