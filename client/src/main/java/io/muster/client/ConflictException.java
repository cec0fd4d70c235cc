package io.muster.client;

import io.vertx.core.json.JsonObject;

/** The request conflicts with the current state, e.g. a transition the rollout's state does not allow (409). */
public final class ConflictException extends ProblemException {

    private static final long serialVersionUID = 1L;

    ConflictException(int status, JsonObject problem, String title, String detail) {
        super(status, problem, title, detail);
    }
}
