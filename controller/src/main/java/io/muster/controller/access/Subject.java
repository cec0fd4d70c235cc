package io.muster.controller.access;

import io.muster.controller.task.TaskTarget;
import java.util.UUID;

/**
 * What an operation acts on, as far as its {@link Scoping} needs to know: a host id for
 * {@link Scoping#HOST}, a task id for {@link Scoping#TASK} (null when the request named none that
 * parses: it then reads as absent), a target for {@link Scoping#TASK_TARGET}.
 */
public record Subject(String hostId, UUID taskId, TaskTarget target, String path) {

    private static final Subject NONE = new Subject(null, null, null, null);

    public static Subject none() {
        return NONE;
    }

    public static Subject host(String hostId) {
        return new Subject(hostId, null, null, null);
    }

    public static Subject task(UUID taskId) {
        return new Subject(null, taskId, null, null);
    }

    /** A task id as text; one that is not a UUID names no task. */
    public static Subject task(String taskId) {
        if (taskId == null) {
            return NONE;
        }
        try {
            return task(UUID.fromString(taskId.strip()));
        } catch (IllegalArgumentException e) {
            return NONE;
        }
    }

    public static Subject target(TaskTarget target) {
        return new Subject(null, null, target, null);
    }

    /** A REST operation on no fleet data, named by its request path (what a download grant is checked against). */
    public static Subject path(String path) {
        return new Subject(null, null, null, path);
    }
}
