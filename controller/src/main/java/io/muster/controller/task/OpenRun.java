package io.muster.controller.task;

/**
 * A run that is not terminal yet, with what is needed to (re)deliver it.
 *
 * @param cancelled the task was cancelled: the agent gets a cancel rather than the assignment
 */
public record OpenRun(RunRef run, TaskHeader task, RunStatus state, boolean cancelled) {
}
