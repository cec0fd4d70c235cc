package io.muster.controller.task;

import io.muster.proto.v1.RunState;
import java.util.Locale;
import java.util.Optional;

/**
 * State of one run as the controller records it (column {@code runs.state}).
 *
 * <p>{@code pending}: written, not yet reported started by the agent (it may already be
 * delivered: delivery is at-least-once, so a pending run is simply sent again when the host
 * reconnects). {@code running}: the agent reported it started. The other five are terminal: once a
 * run is in one of them it never changes again.
 */
public enum RunStatus {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED,
    HOST_LOST;

    /** Name in the database and in the API, e.g. {@code timed_out}. */
    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return this != PENDING && this != RUNNING;
    }

    public static Optional<RunStatus> fromDbName(String name) {
        for (RunStatus status : values()) {
            if (status.dbName().equals(name)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    /** The controller state for an agent's report; empty for {@code RUN_STATE_UNSPECIFIED}. */
    public static Optional<RunStatus> fromAgent(RunState state) {
        switch (state) {
            case RUN_STATE_RUNNING:
                return Optional.of(RUNNING);
            case RUN_STATE_SUCCEEDED:
                return Optional.of(SUCCEEDED);
            case RUN_STATE_FAILED:
                return Optional.of(FAILED);
            case RUN_STATE_TIMED_OUT:
                return Optional.of(TIMED_OUT);
            case RUN_STATE_CANCELLED:
                return Optional.of(CANCELLED);
            default:
                return Optional.empty();
        }
    }
}
