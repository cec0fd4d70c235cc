package io.muster.scheduler.rollout;

import java.util.Arrays;
import java.util.Optional;

/**
 * The state of a rollout and which person-made transitions each state allows (anything else is a
 * conflict). The planner moves a running rollout to waiting_approval, halted or succeeded.
 */
public enum RolloutState {
    RUNNING("running"),
    WAITING_APPROVAL("waiting_approval"),
    PAUSED("paused"),
    SUCCEEDED("succeeded"),
    /** The failure budget was exceeded; resume is allowed once the budget covers the failures. */
    HALTED("halted"),
    ABORTED("aborted"),
    FAILED("failed");

    private final String wireName;

    RolloutState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<RolloutState> fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }

    /** Nothing will happen to it any more. */
    public boolean terminal() {
        return this == SUCCEEDED || this == ABORTED || this == FAILED;
    }

    /** The state after "pause", or empty when pausing is not allowed from here. */
    public Optional<RolloutState> pause() {
        return this == RUNNING || this == WAITING_APPROVAL ? Optional.of(PAUSED) : Optional.empty();
    }

    /**
     * The state after "resume" (which also approves a waiting canary), or empty when not allowed.
     * From halted the caller must also check that the budget now covers the failures.
     */
    public Optional<RolloutState> resume() {
        return this == PAUSED || this == WAITING_APPROVAL || this == HALTED ? Optional.of(RUNNING) : Optional.empty();
    }

    /** The state after "abort", or empty when the rollout is already over. */
    public Optional<RolloutState> abort() {
        return terminal() ? Optional.empty() : Optional.of(ABORTED);
    }
}
