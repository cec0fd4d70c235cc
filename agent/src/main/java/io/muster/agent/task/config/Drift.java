package io.muster.agent.task.config;

/**
 * A managed path that no longer matches what a config run applied.
 *
 * @param resource    the resource type: file, directory or symlink
 * @param path        the managed path
 * @param description what differs, for people (e.g. {@code deleted}, {@code content differs; mode 0600 (want 0644)})
 * @param diff        unified diff from the applied content to the current one; empty when content is not involved
 */
public record Drift(String resource, String path, String description, String diff) {
}
