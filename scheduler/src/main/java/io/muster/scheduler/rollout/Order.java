package io.muster.scheduler.rollout;

/**
 * In which order hosts are taken: by host id, or shuffled by a seed (the same seed gives the same
 * plan, so a plan can be reproduced and reviewed).
 *
 * @param seed the shuffle's seed; ignored when not {@code random}
 */
public record Order(boolean random, long seed) {

    public static final Order BY_ID = new Order(false, 0);

    public static Order random(long seed) {
        return new Order(true, seed);
    }
}
