package io.muster.controller.store;

/** A page cursor that this store did not hand out (tampered, truncated, or of another listing). */
public final class InvalidCursorException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidCursorException(String message) {
        super(message);
    }
}
