package io.muster.client;

import io.vertx.core.json.JsonObject;

/** No such host, task, token, rollout... (404). */
public final class NotFoundException extends ProblemException {

    private static final long serialVersionUID = 1L;

    NotFoundException(int status, JsonObject problem, String title, String detail) {
        super(status, problem, title, detail);
    }
}
