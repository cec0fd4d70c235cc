package io.muster.controller.rollout;

import io.muster.controller.task.TaskCreator;
import io.muster.controller.task.TaskRequest;
import io.muster.scheduler.rollout.Strategy;
import io.vertx.core.json.JsonObject;

/**
 * A validated rollout request (see {@link RolloutRequestParser}).
 *
 * @param task        the task applied to each host, with the rollout's target
 * @param strategy    how it proceeds
 * @param strategyJson the strategy as shown by the API (with the defaults filled in)
 * @param healthCheck optional check after each host's run succeeded
 * @param onFailure   optional revert run on the hosts a halted rollout changed
 */
public record RolloutRequest(TaskRequest task, Strategy strategy, JsonObject strategyJson, RolloutAction healthCheck,
                             RolloutAction onFailure) {

    public RolloutRequest createdBy(TaskCreator creator) {
        return new RolloutRequest(task.createdBy(creator), strategy, strategyJson, healthCheck, onFailure);
    }
}
