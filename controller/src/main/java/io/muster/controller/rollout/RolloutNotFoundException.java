package io.muster.controller.rollout;

/** No rollout or schedule with that id (a 404). */
public final class RolloutNotFoundException extends RuntimeException {

    public RolloutNotFoundException(String what) {
        super(what, null, false, false);
    }
}
