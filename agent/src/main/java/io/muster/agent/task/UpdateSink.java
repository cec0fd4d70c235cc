package io.muster.agent.task;

import io.muster.proto.v1.TaskUpdate;

/**
 * Where the task runner hands updates after journaling them (the agent's session).
 *
 * <p>Threading: called from task worker and timer threads, sometimes while the runner holds a
 * run's lock; an implementation must not block and must not call back into the runner. Delivery
 * is best effort: an update that cannot be sent now is re-sent from the journal later.
 */
@FunctionalInterface
public interface UpdateSink {

    void send(TaskUpdate update);
}
