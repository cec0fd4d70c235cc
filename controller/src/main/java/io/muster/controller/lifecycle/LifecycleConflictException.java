package io.muster.controller.lifecycle;

/** The action cannot be taken in the host's current state (HTTP 409 with the current state). */
public final class LifecycleConflictException extends RuntimeException {

    private final Lifecycle current;

    public LifecycleConflictException(Lifecycle current, String message) {
        super(message, null, false, false);
        this.current = current;
    }

    public Lifecycle current() {
        return current;
    }
}
