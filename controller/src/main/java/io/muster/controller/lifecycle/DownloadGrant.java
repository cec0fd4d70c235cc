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

    /**
     * How long a grant lives from the upgrade's start: the download is its first step. A grant
     * is for one build and one host (a token that may GET that build's download and nothing else).
     */
    Duration LIFETIME = Duration.ofMinutes(15);

    /** @return the bearer token, valid for about {@code lifetime} */
    Future<String> grant(String hostId, String version, Duration lifetime);
}
