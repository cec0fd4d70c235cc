package io.muster.client;

import io.vertx.core.json.JsonObject;

/** The token's role or scope does not allow this (403). */
public final class ForbiddenException extends ProblemException {

    private static final long serialVersionUID = 1L;

    ForbiddenException(int status, JsonObject problem, String title, String detail) {
        super(status, problem, title, detail);
    }
}
