package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;

/** The controller cannot serve the request now (503: database unavailable, member starting); retry later. */
public final class UnavailableException extends ProblemException {

    private static final long serialVersionUID = 1L;

    private final transient Optional<Duration> retryAfter;

    UnavailableException(int status, JsonObject problem, String title, String detail, Optional<Duration> retryAfter) {
        super(status, problem, title, detail);
        this.retryAfter = retryAfter;
    }

    /** How long the controller asked to wait, when it said. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
