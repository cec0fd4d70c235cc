package io.muster.controller.task;

import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;

/**
 * The part of a task every one of its runs carries to the agent. Serializable because it travels
 * between cluster members with the runs it belongs to.
 *
 * @param specJson the spec as compact JSON text (cheap to ship; turned into a protobuf Struct once
 *                 per member that delivers it)
 */
public record TaskHeader(UUID taskId, String kind, String specJson, int timeoutSeconds, boolean dryRun)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public TaskHeader {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(specJson, "specJson");
    }
}
