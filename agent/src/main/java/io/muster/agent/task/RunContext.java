package io.muster.agent.task;

import com.google.protobuf.Struct;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What an executor sees of one run. Provided by the agent's task runner; valid for the duration
 * of {@link TaskExecutor#execute}.
 */
public interface RunContext {

    String runId();

    String taskId();

    /** Kind-specific specification, e.g. {@code {"command":["uname","-a"]}}. */
    Struct spec();

    boolean dryRun();

    /** Wall-clock limit for the run; the executor stops its work when it passes. */
    Duration timeout();

    /**
     * Captured standard output. Bytes beyond the run's output limit are dropped and the result
     * is marked truncated; writes never block on the network (chunks are journaled and streamed
     * to the controller by the session).
     */
    OutputStream stdout();

    /** Captured standard error; same rules as {@link #stdout()}. */
    OutputStream stderr();

    /** True once the controller cancelled the run. */
    boolean cancelled();

    /**
     * Registers an action to run when the run is cancelled (e.g. kill a process group). Runs at
     * once if the run is already cancelled. Called on the thread that delivers the cancel.
     */
    void onCancel(Runnable action);

    /** The agent's data directory, for executors that keep state (config drift, downloads). */
    Path dataDir();
}
