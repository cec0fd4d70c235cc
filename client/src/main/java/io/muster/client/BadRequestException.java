package io.muster.client;

import io.vertx.core.json.JsonObject;

/** The request was refused as malformed or invalid (400; also 413, 414, 422, 431). The detail names the field. */
public final class BadRequestException extends ProblemException {

    private static final long serialVersionUID = 1L;

    BadRequestException(int status, JsonObject problem, String title, String detail) {
        super(status, problem, title, detail);
    }
}
