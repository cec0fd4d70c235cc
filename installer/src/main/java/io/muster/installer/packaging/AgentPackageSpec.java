package io.muster.installer.packaging;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one agent package holds besides the distribution: where the agent connects and how it
 * enrolls. Immutable.
 *
 * @param controllers     controller gRPC addresses, "host:port"; written to the agent's config
 * @param distribution    the muster distribution to install under {@code /opt/muster-agent}
 * @param caCert          PEM of the cluster CA, installed as {@code /etc/muster/ca.pem} and pinned at
 *                        enrollment; null: trust on first use
 * @param enrollTokenFile a file holding an enrollment token, installed as
 *                        {@code /etc/muster/enroll.token} (0600, consumed by the agent); null: the
 *                        token is brought separately ({@code muster install} writes it per host)
 * @param enrollControllers the controllers' enrollment ports, "host:port", written to the agent's
 *                        config; empty: the agent's default (each controller's host, port 7071)
 */
public record AgentPackageSpec(List<String> controllers, AgentDistribution distribution, Path caCert, Path enrollTokenFile,
                               List<String> enrollControllers) {

    public AgentPackageSpec {
        controllers = List.copyOf(controllers);
        enrollControllers = enrollControllers == null ? List.of() : List.copyOf(enrollControllers);
        if (controllers.isEmpty()) {
            throw new IllegalArgumentException("at least one controller address (host:port) is needed");
        }
        Objects.requireNonNull(distribution, "distribution");
    }
}
