package io.muster.client;

import io.vertx.core.json.JsonObject;

/** {@code /api/v1/tasks}: submit, read, follow, cancel. */
public final class Tasks {

    private final MusterClient client;

    Tasks(MusterClient client) {
        this.client = client;
    }

    /** Creates the task; answers its id and how many hosts it targets ({@link Task#total()}). */
    public Task submit(TaskRequest request) {
        return Task.of(client.send("POST", "/api/v1/tasks", request.json()));
    }

    public Task get(String id) {
        return Task.of(client.get(path(id), new Query()));
    }

    /** Every task, newest first. */
    public Listing<Task> list() {
        return new Listing<>(client, "/api/v1/tasks", new Query(), Task::of);
    }

    /** Every run of the task. */
    public Listing<Run> runs(String id) {
        return runs(id, null);
    }

    /** The task's runs in one state (e.g. "failed"); null for all. */
    public Listing<Run> runs(String id, String state) {
        return new Listing<>(client, path(id) + "/runs", new Query().add("state", state), Run::of);
    }

    /**
     * One stream of one run's output, whole: a page of runs carries at most a few MiB of output in
     * all, so a long output there is cut and this is where it is read in full.
     *
     * @param stream "stdout" or "stderr"
     */
    public String output(String id, String runId, String stream) {
        return client.text(path(id) + "/runs/" + Query.encode(runId) + "/output", new Query().add("stream", stream));
    }

    /** Cancels the pending and running runs; answers the task as it is now. */
    public Task cancel(String id) {
        return Task.of(client.send("POST", path(id) + "/cancel", new JsonObject()));
    }

    /**
     * The task's progress as it happens: "progress" events (total and counts per state) and a
     * last "done" event, after which the stream ends.
     */
    public EventStream progress(String id) {
        return client.stream(path(id) + "/events", new Query());
    }

    private static String path(String id) {
        return "/api/v1/tasks/" + Query.encode(id);
    }
}
