package io.muster.controller.task;

import java.util.Locale;

/**
 * Overall state of a task, derived from its runs' states (never stored, so it cannot disagree
 * with them):
 * <ul>
 *   <li>{@code pending}: every run is pending (none has started yet);
 *   <li>{@code running}: some runs are not terminal and at least one has started or finished;
 *   <li>{@code cancelling}: cancel was asked and some runs are not terminal yet;
 *   <li>{@code succeeded}: every run succeeded;
 *   <li>{@code failed}: every run is terminal and none succeeded (failed, timed out, host lost);
 *   <li>{@code completed}: every run is terminal, some succeeded and some did not;
 *   <li>{@code cancelled}: cancel was asked and every run is terminal.
 * </ul>
 * The last four are final: the task never leaves them.
 */
public enum TaskState {
    PENDING, RUNNING, CANCELLING, SUCCEEDED, FAILED, COMPLETED, CANCELLED;

    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == COMPLETED || this == CANCELLED;
    }

    static TaskState of(TaskCounts counts, boolean cancelRequested) {
        long open = counts.get(RunStatus.PENDING) + counts.get(RunStatus.RUNNING);
        if (open > 0) {
            if (cancelRequested) {
                return CANCELLING;
            }
            return counts.get(RunStatus.PENDING) == counts.total() ? PENDING : RUNNING;
        }
        if (cancelRequested) {
            return CANCELLED;
        }
        long succeeded = counts.get(RunStatus.SUCCEEDED);
        if (succeeded == counts.total()) {
            return SUCCEEDED;
        }
        return succeeded == 0 ? FAILED : COMPLETED;
    }
}
