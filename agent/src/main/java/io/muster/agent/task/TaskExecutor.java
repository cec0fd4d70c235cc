package io.muster.agent.task;

/**
 * Carries out runs of one task kind ({@code exec}, {@code config}, {@code container},
 * {@code lifecycle}, or the simulated executor of fleet simulations).
 *
 * <p>Threading: {@link #execute} is called on a task worker thread owned by the agent, never on a
 * gRPC or timer thread, so it may block. One executor instance serves many runs concurrently and
 * must keep no per-run state in fields.
 *
 * <p>Guarantees asked of an implementation: it returns a terminal {@link RunResult} for every
 * call (errors become {@code FAILED} with a reason a person can read, never an escaping exception),
 * it honours {@link RunContext#cancelled()} and the run's timeout by stopping the work it started,
 * and in dry-run mode it changes nothing on the host.
 */
public interface TaskExecutor {

    /** The task kind this executor serves, as it appears in {@code TaskAssignment.kind}. */
    String kind();

    /**
     * Executes one run. Output goes to {@link RunContext#stdout()} and {@link RunContext#stderr()}
     * as it is produced so that long runs stream; the result carries only the terminal state.
     */
    RunResult execute(RunContext context) throws InterruptedException;
}
