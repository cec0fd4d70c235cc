package io.muster.scheduler.rollout;

/** Where one host of a rollout is. */
public enum HostProgress {
    /** Not started yet. */
    PLANNED("planned"),
    /** Not ready (cordoned, draining, ...) when its turn came: not run, not a failure. */
    SKIPPED("skipped"),
    /** Its run is pending or running. */
    RUNNING("running"),
    /** Its run succeeded; its health check is not due or not started yet. */
    AWAITING_HEALTH("awaiting_health"),
    /** Its health check is running. */
    CHECKING("checking"),
    SUCCEEDED("succeeded"),
    /** Its run failed, timed out, was cancelled or lost its host, or its health check failed. */
    FAILED("failed");

    private final String wireName;

    HostProgress(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Started and not finished: it holds a window slot and blocks the next wave. */
    public boolean inFlight() {
        return this == RUNNING || this == AWAITING_HEALTH || this == CHECKING;
    }

    /** The rollout touched the host (what a revert task undoes). */
    public boolean started() {
        return this != PLANNED && this != SKIPPED;
    }
}
