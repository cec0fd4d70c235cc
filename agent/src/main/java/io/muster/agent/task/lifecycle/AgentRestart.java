package io.muster.agent.task.lifecycle;

/**
 * Ends this agent process so that its supervisor starts the (new) agent build: the agent exits
 * with {@link #EXIT_CODE}, which the supervisor ({@code io.muster.agent.upgrade.AgentSupervisor})
 * or a systemd unit ({@code RestartForceExitStatus=75}) understands as "start me again".
 *
 * <p>Called from a task worker thread once the new build is in place and the handoff is on disk;
 * it does not return when it works.
 */
@FunctionalInterface
public interface AgentRestart {

    /** EX_TEMPFAIL: "restart me"; anything else is a real exit. */
    int EXIT_CODE = 75;

    void restart();
}
