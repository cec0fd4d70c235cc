package io.muster.agent.task.simulated;

import com.google.protobuf.Value;
import io.muster.agent.task.AsynchronousExecutor;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import io.muster.agent.task.TaskExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Executor of simulated agents (demo, tests, bench): forks nothing; a run succeeds after a fixed
 * delay with one line of output naming the simulated host and the command, so that a fan-out to
 * thousands of hosts measures Muster, not {@code fork()}.
 *
 * <p>Threading: {@link #start} schedules the completion on the shared timer and returns at once;
 * no thread sleeps. A cancel completes the run at once as CANCELLED.
 */
public final class SimulatedExecutor implements TaskExecutor, AsynchronousExecutor {

    public static final Duration DEFAULT_DELAY = Duration.ofMillis(50);

    private final String kind;
    private final String hostname;
    private final Duration delay;
    private final ScheduledExecutorService timer;
    private final Consumer<String> executions;
    private final boolean failing;

    /**
     * @param kind       the kind it stands in for ("exec", "config")
     * @param hostname   simulated host name, printed in the output
     * @param executions told the run id each time a run actually starts (tests count them); may be null
     */
    public SimulatedExecutor(String kind, String hostname, Duration delay, ScheduledExecutorService timer,
            Consumer<String> executions) {
        this(kind, hostname, delay, timer, executions, false);
    }

    /** @param failing every run fails with exit code 1 and a stderr line saying why (rollout tests) */
    public SimulatedExecutor(String kind, String hostname, Duration delay, ScheduledExecutorService timer,
            Consumer<String> executions, boolean failing) {
        this.failing = failing;
        this.kind = kind;
        this.hostname = hostname;
        this.delay = delay == null ? DEFAULT_DELAY : delay;
        this.timer = timer;
        this.executions = executions;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public CompletionStage<RunResult> start(RunContext context) {
        if (executions != null) {
            executions.accept(context.runId());
        }
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        String line = "simulated " + kind + " on " + hostname + ": " + describe(context) + "\n";
        long dueNanos = System.nanoTime() + delay.toNanos();
        AtomicBoolean ended = new AtomicBoolean();
        Runnable finishWork = () -> {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                context.stdout().write(line.getBytes(StandardCharsets.UTF_8));
                if (failing) {
                    context.stderr().write(("simulated failure: " + hostname + " matches the simulator's fail selector\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The capture is in memory; it does not fail.
            }
            result.complete(failing ? RunResult.failed(1, "exit code 1 (simulated failure)", null)
                    : RunResult.succeeded(0, null));
        };
        ScheduledFuture<?> completion = timer.schedule(finishWork, delay.toMillis(), TimeUnit.MILLISECONDS);
        context.onCancel(() -> {
            // The simulated work ends at its due time whether or not the timer thread got to it: an
            // agent frozen past both its run's end and its timeout (SIGSTOP, a paused VM) wakes up with
            // both overdue, and the work that was done by then is reported done, as a real process that
            // exited while the agent was frozen would be.
            if (System.nanoTime() - dueNanos >= 0) {
                finishWork.run();
                return;
            }
            if (ended.compareAndSet(false, true)) {
                completion.cancel(false);
                result.complete(RunResult.cancelled("cancelled"));
            }
        });
        return result;
    }

    @Override
    public RunResult execute(RunContext context) throws InterruptedException {
        try {
            return start(context).toCompletableFuture().get();
        } catch (ExecutionException e) {
            return RunResult.failed("simulated executor failed: " + e.getCause());
        }
    }

    private static String describe(RunContext context) {
        Value command = context.spec().getFieldsMap().get("command");
        if (command != null && command.hasListValue()) {
            return command.getListValue().getValuesList().stream().map(Value::getStringValue).collect(Collectors.joining(" "));
        }
        Value shell = context.spec().getFieldsMap().get("shell");
        if (shell != null && shell.hasStringValue()) {
            return shell.getStringValue();
        }
        return context.spec().getFieldsCount() + " field spec";
    }
}
