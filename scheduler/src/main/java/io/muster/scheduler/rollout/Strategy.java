package io.muster.scheduler.rollout;

import java.util.List;
import java.util.Objects;

/**
 * How a rollout proceeds. Exactly one of {@code waves} (a ramp: each entry is the size of one
 * wave, the last entry repeats until every host is done) and {@code window} (at most that many
 * hosts in flight; each finished host frees a slot).
 *
 * @param waves                    the ramp, or null for a window
 * @param window                   the window, or null for waves
 * @param maxFailures              failures allowed over the WHOLE rollout before it halts
 * @param canary                   optional: the first hosts alone, then approval
 * @param healthCheckSeconds       seconds after a host's run succeeded before its health check
 *                                 runs, or -1 when there is no health check
 * @param spreadBy                 label or fact key whose values are interleaved, or null
 * @param pauseBetweenWavesSeconds pause after a wave finished before the next starts (waves only)
 * @param order                    host order before spreading
 */
public record Strategy(List<Amount> waves, Amount window, Amount maxFailures, Canary canary, int healthCheckSeconds,
                       String spreadBy, int pauseBetweenWavesSeconds, Order order) {

    /** The default: a sliding window of 10% of the hosts, no failure allowed. */
    public static final Strategy DEFAULT = new Strategy(null, Amount.percentOf(10), Amount.count(0), null, -1, null, 0,
            Order.BY_ID);

    public Strategy {
        if ((waves == null) == (window == null)) {
            throw new IllegalArgumentException("exactly one of waves and window");
        }
        if (waves != null) {
            waves = List.copyOf(waves);
            if (waves.isEmpty()) {
                throw new IllegalArgumentException("waves must not be empty");
            }
        }
        Objects.requireNonNull(maxFailures, "maxFailures");
        Objects.requireNonNull(order, "order");
        if (pauseBetweenWavesSeconds < 0) {
            throw new IllegalArgumentException("pauseBetweenWavesSeconds must not be negative");
        }
    }

    public boolean hasHealthCheck() {
        return healthCheckSeconds >= 0;
    }

    /** The same strategy with another failure budget (raising it lets a halted rollout resume). */
    public Strategy withMaxFailures(Amount budget) {
        return new Strategy(waves, window, budget, canary, healthCheckSeconds, spreadBy, pauseBetweenWavesSeconds, order);
    }
}
