package io.muster.controller.task;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One run with its result so far. Output is decoded as UTF-8 (malformed bytes become U+FFFD). */
public record RunView(UUID runId, String hostId, RunStatus state, Integer exitCode, String stdout, String stderr,
                      boolean truncated, OffsetDateTime startedAt, OffsetDateTime finishedAt, String reason,
                      JsonObject result) {
}
