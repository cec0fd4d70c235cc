package io.muster.controller.task;

/** No task has the given id (404). */
public final class TaskNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TaskNotFoundException(String taskId) {
        super("no task with id " + taskId, null, false, false);
    }
}
