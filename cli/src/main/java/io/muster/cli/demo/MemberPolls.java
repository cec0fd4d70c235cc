package io.muster.cli.demo;

import io.muster.client.MusterClient;
import io.muster.client.MusterException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The few questions the demo asks its members while they start, through the Java client as the
 * admin whose token the first member wrote: a member that does not answer yet (or refuses) reads
 * as "not ready" or empty, never as an exception, because the demo polls. Thread-safe.
 */
final class MemberPolls {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Path tokenFile;

    /** @param tokenFile the admin token the first member writes; read on every call, absent until it exists */
    MemberPolls(Path tokenFile) {
        this.tokenFile = tokenFile;
    }

    static String base(int httpPort) {
        return "http://127.0.0.1:" + httpPort;
    }

    /** True when GET /readyz answers 200. */
    boolean ready(int httpPort) {
        try {
            return client(httpPort).ready();
        } catch (MusterException e) {
            return false;
        }
    }

    /** GET /api/v1/hosts/{id}, empty while unknown or unreachable. */
    Optional<JsonObject> host(int httpPort, String hostId) {
        try {
            return Optional.of(client(httpPort).hosts().get(hostId).json());
        } catch (MusterException e) {
            return Optional.empty();
        }
    }

    /** GET /api/v1/cluster, empty when unreachable. */
    Optional<JsonObject> cluster(int httpPort) {
        try {
            return Optional.of(client(httpPort).cluster());
        } catch (MusterException e) {
            return Optional.empty();
        }
    }

    /** The admin API token, empty until the first member wrote it. */
    Optional<String> token() {
        try {
            String text = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private MusterClient client(int httpPort) {
        return MusterClient.builder(base(httpPort)).token(() -> token().orElse(null))
                .connectTimeout(TIMEOUT).requestTimeout(TIMEOUT).build();
    }
}
