package io.muster.controller.task;

import java.util.Objects;
import java.util.UUID;

/** One run and the host it runs on. */
public record RunRef(UUID runId, String hostId) {
    public RunRef {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(hostId, "hostId");
    }
}
