package io.muster.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What to run and where, for {@link Tasks#submit} (and, with a strategy, {@link Rollouts#start}).
 * Immutable: each method answers a changed copy. {@code exec} builds a command task; other kinds
 * (config, container, lifecycle) take their spec as JSON through {@link #of}.
 */
public final class TaskRequest {

    private final JsonObject json;

    private TaskRequest(JsonObject json) {
        this.json = json;
    }

    /** A command run on each host, without a shell: {@code exec("uname", "-a")}. */
    public static TaskRequest exec(String... command) {
        return exec(List.of(command));
    }

    public static TaskRequest exec(List<String> command) {
        return new TaskRequest(new JsonObject().put("kind", "exec")
                .put("spec", new JsonObject().put("command", new JsonArray(List.copyOf(command)))));
    }

    /** A task of any kind: {@code of("config", spec)}. */
    public static TaskRequest of(String kind, JsonObject spec) {
        return new TaskRequest(new JsonObject().put("kind", kind).put("spec", spec.copy()));
    }

    /** A whole request body as JSON ({@code target}, {@code kind}, {@code spec}, ...). */
    public static TaskRequest fromJson(JsonObject body) {
        return new TaskRequest(body.copy());
    }

    /** On the hosts a selector matches (when the task is created). */
    public TaskRequest selector(String selector) {
        return with("target", new JsonObject().put("selector", selector));
    }

    /** On these hosts. */
    public TaskRequest hosts(List<String> hostIds) {
        return with("target", new JsonObject().put("hosts", new JsonArray(List.copyOf(hostIds))));
    }

    /** Wall-clock limit of each host's run. */
    public TaskRequest timeoutSeconds(int seconds) {
        return with("timeoutSeconds", seconds);
    }

    /** Report what would change without changing it (config tasks). */
    public TaskRequest dryRun(boolean dryRun) {
        return with("dryRun", dryRun);
    }

    /** Any other field of the request, e.g. a rollout's {@code strategy}. */
    public TaskRequest with(String field, Object value) {
        return new TaskRequest(json.copy().put(field, value));
    }

    /** The request body. */
    public JsonObject json() {
        return json.copy();
    }
}
