package io.muster.scheduler.rollout;

/**
 * A host's place in a rollout plan, fixed when the rollout is created.
 *
 * @param position 0-based place in the order hosts are taken
 * @param wave     0-based wave (the canary is wave 0; in window mode the rest is one wave)
 */
public record PlannedHost(int position, String hostId, int wave) {
}
