package io.muster.controller.task;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One run with its result so far. Output is decoded as UTF-8 (malformed bytes become U+FFFD).
 *
 * @param truncated   the agent cut the output at its limit
 * @param stdoutBytes the stored stdout's size; more than {@code stdout} holds when a page cut it ({@link OutputPage})
 * @param outputCut   this view holds less than the stored output (see {@link OutputPage#link})
 */
public record RunView(UUID runId, String hostId, RunStatus state, Integer exitCode, String stdout, String stderr,
                      boolean truncated, OffsetDateTime startedAt, OffsetDateTime finishedAt, String reason,
                      JsonObject result, long stdoutBytes, long stderrBytes, boolean outputCut) {
}
