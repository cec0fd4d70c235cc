package io.muster.controller.task;

import java.util.List;

/**
 * Sends committed runs (or their cancellation) towards the agents that execute them.
 *
 * <p>Best effort by design: the runs are already in PostgreSQL, and a host that does not get a
 * message now gets its open runs when it (re)connects. Methods may be called from any thread and
 * never block.
 */
public interface RunDispatch {

    /** Delivers each run's assignment to its host's agent, through the member that owns the host. */
    void assign(TaskHeader task, List<RunRef> runs);

    /** Tells the agents of these runs to stop them. */
    void cancel(List<RunRef> runs, String reason);
}
