package io.muster.scheduler.rollout;

/**
 * The first {@code hosts} hosts run alone; then the rollout waits for a person
 * ({@link Approval#MANUAL}: resume) or for {@code waitSeconds} after the canaries finished, all of
 * them healthy ({@link Approval#AUTO}). A canary that fails halts an automatic rollout.
 */
public record Canary(int hosts, Approval approval, int waitSeconds) {

    public enum Approval { MANUAL, AUTO }

    public Canary {
        if (hosts < 1) {
            throw new IllegalArgumentException("canary.hosts must be at least 1");
        }
        if (waitSeconds < 0) {
            throw new IllegalArgumentException("canary.waitSeconds must not be negative");
        }
    }
}
