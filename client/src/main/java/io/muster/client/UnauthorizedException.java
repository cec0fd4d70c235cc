package io.muster.client;

import io.vertx.core.json.JsonObject;

/** No token, or one the cluster does not accept (401). */
public final class UnauthorizedException extends ProblemException {

    private static final long serialVersionUID = 1L;

    UnauthorizedException(int status, JsonObject problem, String title, String detail) {
        super(status, problem, title, detail);
    }
}
