package io.muster.cli.api;

import io.muster.cli.CommandFailure;

/**
 * The controller refused a request: its RFC 9457 problem as one line, "title: detail" (the
 * command exits 1 with it).
 */
public final class ApiProblem extends CommandFailure {

    private static final long serialVersionUID = 1L;

    private final int status;

    public ApiProblem(int status, String title, String detail) {
        super(title + (detail == null || detail.isBlank() ? "" : ": " + detail) + " (HTTP " + status + ")");
        this.status = status;
    }

    public int status() {
        return status;
    }
}
