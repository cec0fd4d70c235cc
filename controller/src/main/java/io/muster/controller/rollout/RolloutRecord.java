package io.muster.controller.rollout;

import io.muster.controller.task.TaskCreator;
import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskTarget;
import io.muster.scheduler.rollout.RolloutState;
import io.muster.scheduler.rollout.Strategy;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** One row of {@code rollouts}: what was asked and where the rollout is. */
public record RolloutRecord(UUID id, RolloutState state, String reason, String kind, JsonObject spec, JsonObject target,
                            int timeoutSeconds, boolean dryRun, JsonObject strategy, JsonObject healthCheck,
                            JsonObject onFailure, boolean approved, boolean reverted, long revision, int total,
                            OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime finishedAt,
                            String createdByToken, String createdBy) {

    /** The strategy as the planner reads it. */
    public Strategy plannerStrategy() {
        return RolloutRequestParser.strategy(strategy, healthCheck == null ? -1 : healthCheck.getInteger("minHealthySeconds", 0));
    }

    /** The task of a step over {@code hostIds}: the rollout's own, or its health check or revert. */
    public TaskRequest task(RecordedStep.StepKind kind, List<String> hostIds) {
        JsonObject action = kind == RecordedStep.StepKind.HEALTH ? healthCheck : kind == RecordedStep.StepKind.REVERT ? onFailure : null;
        TaskCreator creator = createdByToken == null ? null : new TaskCreator(createdByToken, createdBy);
        TaskTarget target = new TaskTarget.ByHosts(hostIds);
        if (action == null) {
            return new TaskRequest(target, TaskKind.fromWireName(kind()).orElseThrow(), spec, timeoutSeconds, dryRun, null, creator);
        }
        return new TaskRequest(target, TaskKind.fromWireName(action.getString("kind")).orElseThrow(),
                action.getJsonObject("spec"), action.getInteger("timeoutSeconds"), dryRun, null, creator);
    }
}
