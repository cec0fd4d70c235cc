package io.muster.controller.auth;

/** A certificate signing request that cannot be honoured; the message says why in one sentence. */
public final class InvalidCsrException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidCsrException(String message) {
        super(message, null, false, false);
    }
}
