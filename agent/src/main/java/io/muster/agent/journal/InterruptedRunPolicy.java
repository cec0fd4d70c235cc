package io.muster.agent.journal;

import io.muster.proto.v1.TaskUpdate;

/**
 * Decides what a run that was executing when the agent stopped is reported as. By default it
 * fails with {@value Journal#AGENT_RESTARTED}; work that the restart itself completes (a reboot,
 * an agent upgrade) reports its true outcome instead.
 *
 * <p>Called once per interrupted run while the journal opens, before anything is sent; the
 * returned update is journaled (forced) in place of the default one. Must not block for long.
 */
@FunctionalInterface
public interface InterruptedRunPolicy {

    InterruptedRunPolicy DEFAULT = agentRestarted -> agentRestarted;

    /**
     * @param agentRestarted the default terminal update (FAILED, reason "agent restarted")
     * @return the terminal update to journal: the same or a replacement with the same run id and sequence
     */
    TaskUpdate conclude(TaskUpdate agentRestarted);
}
