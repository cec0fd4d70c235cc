package io.muster.controller.lifecycle;

import java.util.UUID;

/**
 * A transition applied and recorded: the host is in {@code transition.during()} now.
 *
 * @param operationId  the open operation when the transition runs work, else null
 * @param bootId       the host's boot id when the transition was applied (reboot compares it)
 * @param agentVersion the agent version the host last reported
 */
public record Started(Transition transition, UUID operationId, String bootId, String agentVersion) {
}
