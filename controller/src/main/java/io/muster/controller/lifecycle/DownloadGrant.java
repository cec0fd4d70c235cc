package io.muster.controller.lifecycle;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * Issues the credential an agent presents to download an agent build over the HTTP API (which
 * only admits API tokens): a short-lived, read-only token that travels in the upgrade task's spec
 * over the agent's authenticated stream. Implementations must not block.
 */
@FunctionalInterface
public interface DownloadGrant {

    /** @return the bearer token, valid for about {@code lifetime} */
    Future<String> grant(String hostId, String version, Duration lifetime);
}
