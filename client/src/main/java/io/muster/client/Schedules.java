package io.muster.client;

import io.vertx.core.json.JsonObject;

/** {@code /api/v1/schedules}: create, list, read, change, pause, resume, delete. */
public final class Schedules {

    private final MusterClient client;

    Schedules(MusterClient client) {
        this.client = client;
    }

    /** A schedule creating this task at every tick of {@code cron} (UTC; forbid overlap; no catch-up). */
    public Schedule create(String name, String cron, TaskRequest task) {
        return create(new JsonObject().put("name", name).put("cron", cron).put("task", task.json()));
    }

    /**
     * A schedule from the whole request: name, cron, timezone, task or rollout, concurrencyPolicy
     * (forbid, allow, replace), catchUp (none, last), paused.
     */
    public Schedule create(JsonObject request) {
        return Schedule.of(client.send("POST", "/api/v1/schedules", request));
    }

    public Listing<Schedule> list() {
        return new Listing<>(client, "/api/v1/schedules", new Query(), Schedule::of);
    }

    /** The schedule with its latest firings. */
    public Schedule get(String id) {
        return Schedule.of(client.get(path(id), new Query()));
    }

    /** Changes the fields given (name, cron, timezone, task or rollout, policies). */
    public Schedule change(String id, JsonObject changes) {
        return Schedule.of(client.send("PATCH", path(id), changes));
    }

    public Schedule pause(String id) {
        return Schedule.of(client.send("POST", path(id) + "/pause", new JsonObject()));
    }

    public Schedule resume(String id) {
        return Schedule.of(client.send("POST", path(id) + "/resume", new JsonObject()));
    }

    public void delete(String id) {
        client.send("DELETE", path(id), null);
    }

    private static String path(String id) {
        return "/api/v1/schedules/" + Query.encode(id);
    }
}
