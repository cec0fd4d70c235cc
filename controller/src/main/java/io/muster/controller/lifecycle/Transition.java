package io.muster.controller.lifecycle;

import java.util.Objects;

/**
 * A legal step of the lifecycle: the host moves from {@code from} to {@code during} at once; when
 * the step runs work on the agent, the host then takes {@code onSuccess} or {@code onFailure}
 * depending on the run's outcome. Without work, all three equal {@code during}.
 */
public record Transition(Lifecycle from, LifecycleAction action, Lifecycle during, boolean runsWork,
                         Lifecycle onSuccess, Lifecycle onFailure) {

    public Transition {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(during, "during");
        Objects.requireNonNull(onSuccess, "onSuccess");
        Objects.requireNonNull(onFailure, "onFailure");
    }

    static Transition immediate(Lifecycle from, LifecycleAction action, Lifecycle to) {
        return new Transition(from, action, to, false, to, to);
    }

    static Transition work(Lifecycle from, LifecycleAction action, Lifecycle during, Lifecycle onSuccess,
                           Lifecycle onFailure) {
        return new Transition(from, action, during, true, onSuccess, onFailure);
    }
}
