package io.muster.agent.task;

import com.google.protobuf.Struct;
import io.muster.proto.v1.RunState;
import java.util.Objects;

/**
 * Terminal outcome of one run.
 *
 * @param state     one of the terminal states: SUCCEEDED, FAILED, TIMED_OUT, CANCELLED
 * @param exitCode  process exit code, or null when no process exit code applies
 * @param reason    why the run did not succeed, for people; empty on success
 * @param result    structured, kind-specific result (config diffs, container ids), may be empty
 */
public record RunResult(RunState state, Integer exitCode, String reason, Struct result) {

    public RunResult {
        Objects.requireNonNull(state, "state");
        if (state == RunState.RUN_STATE_RUNNING || state == RunState.RUN_STATE_UNSPECIFIED) {
            throw new IllegalArgumentException("a run result must be terminal, got " + state);
        }
        reason = reason == null ? "" : reason;
        result = result == null ? Struct.getDefaultInstance() : result;
    }

    public static RunResult succeeded(Integer exitCode, Struct result) {
        return new RunResult(RunState.RUN_STATE_SUCCEEDED, exitCode, "", result);
    }

    public static RunResult failed(Integer exitCode, String reason, Struct result) {
        return new RunResult(RunState.RUN_STATE_FAILED, exitCode, reason, result);
    }

    public static RunResult failed(String reason) {
        return failed(null, reason, null);
    }

    public static RunResult timedOut(String reason) {
        return new RunResult(RunState.RUN_STATE_TIMED_OUT, null, reason, null);
    }

    public static RunResult cancelled(String reason) {
        return new RunResult(RunState.RUN_STATE_CANCELLED, null, reason, null);
    }
}
