package io.muster.controller.task;

import io.vertx.core.Future;
import java.util.UUID;

/**
 * Gives a request the secrets its agents need (e.g. a short-lived token for a download from this
 * cluster) before {@link TaskService#create} stores it; they go to {@link TaskRequest#secrets},
 * never into the readable spec. Implementations must not block (called on event-loop threads)
 * and must be thread-safe.
 */
@FunctionalInterface
public interface TaskSecrets {

    /** Adds nothing. */
    TaskSecrets NONE = (taskId, request) -> Future.succeededFuture(request);

    /**
     * @param taskId the id the task will be written with (a secret may be bound to it)
     * @return {@code request}, or the same request with secrets added; a failure refuses the task
     *     (nothing is written)
     */
    Future<TaskRequest> issue(UUID taskId, TaskRequest request);
}
