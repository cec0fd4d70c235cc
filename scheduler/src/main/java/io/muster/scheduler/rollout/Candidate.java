package io.muster.scheduler.rollout;

/**
 * A ready host the rollout may take.
 *
 * @param spreadValue its value of the strategy's {@code spreadBy} key, or null (hosts without the
 *                    key form one group of their own)
 */
public record Candidate(String hostId, String spreadValue) {
}
