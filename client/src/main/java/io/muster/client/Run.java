package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One host's run of a task.
 *
 * @param exitCode null until it finished (and for runs that never started)
 * @param reason   why a run failed without an exit code (timed out, host lost...), else null
 */
public record Run(String runId, String hostId, String state, Integer exitCode, String stdout, String stderr,
                  Instant startedAt, Instant finishedAt, String reason, JsonObject json) {

    static Run of(JsonObject json) {
        return new Run(json.getString("runId"), json.getString("hostId"), json.getString("state"), json.getInteger("exitCode"),
                json.getString("stdout"), json.getString("stderr"), Json.instant(json, "startedAt"),
                Json.instant(json, "finishedAt"), json.getString("reason"), json);
    }
}
