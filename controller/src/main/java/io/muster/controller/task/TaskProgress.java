package io.muster.controller.task;

/** Counts of a task's runs and whether it was cancelled: enough to tell its {@link TaskState}. */
public record TaskProgress(TaskCounts counts, boolean cancelRequested) {

    public TaskState state() {
        return TaskState.of(counts, cancelRequested);
    }
}
