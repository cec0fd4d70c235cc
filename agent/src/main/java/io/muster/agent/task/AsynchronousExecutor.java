package io.muster.agent.task;

import java.util.concurrent.CompletionStage;

/**
 * Optional ability of a {@link TaskExecutor}: carries out a run without holding a worker thread
 * (the simulated executor completes runs from a timer). The runner prefers {@link #start} over
 * {@link TaskExecutor#execute} when an executor has it.
 *
 * <p>Threading: {@link #start} is called on a task worker thread and must return at once; the
 * stage may complete on any thread. The same guarantees as {@link TaskExecutor#execute} apply to
 * the result (terminal, never exceptional for ordinary failures).
 */
public interface AsynchronousExecutor {

    CompletionStage<RunResult> start(RunContext context);
}
