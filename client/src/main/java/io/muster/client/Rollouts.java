package io.muster.client;

import io.vertx.core.json.JsonObject;

/** {@code /api/v1/rollouts}: start, read, follow, pause, resume, abort, change the strategy. */
public final class Rollouts {

    private final MusterClient client;

    Rollouts(MusterClient client) {
        this.client = client;
    }

    /**
     * Starts a rollout of a task request; the strategy goes with it:
     * {@code TaskRequest.exec("apt-get", "upgrade", "-y").selector("role=web").with("strategy", strategy)}.
     */
    public Rollout start(TaskRequest request) {
        return Rollout.of(client.send("POST", "/api/v1/rollouts", request.json()));
    }

    public Rollout get(String id) {
        return Rollout.of(client.get(path(id), new Query()));
    }

    /** Every rollout, newest first. */
    public Listing<Rollout> list() {
        return new Listing<>(client, "/api/v1/rollouts", new Query(), Rollout::of);
    }

    public Rollout pause(String id) {
        return Rollout.of(client.send("POST", path(id) + "/pause", new JsonObject()));
    }

    public Rollout resume(String id) {
        return Rollout.of(client.send("POST", path(id) + "/resume", new JsonObject()));
    }

    public Rollout abort(String id) {
        return Rollout.of(client.send("POST", path(id) + "/abort", new JsonObject()));
    }

    /** Changes what a running rollout may still change (maxFailures, window, pauseBetweenWavesSeconds). */
    public Rollout changeStrategy(String id, JsonObject strategy) {
        return Rollout.of(client.send("PATCH", path(id), new JsonObject().put("strategy", strategy)));
    }

    /** The rollout's view after every step, as it happens; a last "done" event ends the stream. */
    public EventStream progress(String id) {
        return client.stream(path(id) + "/events", new Query());
    }

    private static String path(String id) {
        return "/api/v1/rollouts/" + Query.encode(id);
    }
}
