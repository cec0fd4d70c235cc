package io.muster.agent.task.config;

import java.util.Objects;

/**
 * What {@link Resource#check} found: whether the host differs from the resource, a one-line
 * description of the difference and, for file content, a unified diff (empty otherwise).
 */
public record Change(boolean changed, String description, String diff) {

    public Change {
        Objects.requireNonNull(description, "description");
        diff = diff == null ? "" : diff;
    }

    public static Change unchanged(String description) {
        return new Change(false, description, "");
    }

    public static Change changed(String description, String diff) {
        return new Change(true, description, diff);
    }
}
