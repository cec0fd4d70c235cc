package io.muster.controller.lifecycle;

import java.util.UUID;

/**
 * A lifecycle operation that just ended (its run is terminal).
 *
 * @param succeeded whether the host reached the action's goal
 * @param lifecycle the host's lifecycle afterwards
 */
public record FinishedOperation(UUID operationId, String hostId, LifecycleAction action, boolean succeeded,
                                Lifecycle lifecycle, String outcome) {
}
