package io.muster.controller.rollout;

/** The operation is not allowed in the rollout's current state (a 409 that says why). */
public final class RolloutConflictException extends RuntimeException {

    public RolloutConflictException(String message) {
        super(message, null, false, false);
    }
}
