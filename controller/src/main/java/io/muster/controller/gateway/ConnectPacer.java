package io.muster.controller.gateway;

import java.time.Clock;

/**
 * The retry-after a member gives the agents it refuses during a connect storm (busy past its
 * Hello limit, or still starting): consecutive refusals get consecutive slots
 * {@code 1 / rate} apart, where the rate is what this member has been completing connects at
 * (connect rows written and Welcomes sent), so the refused agents come back at about the speed the
 * member can take them instead of all at once after the same backoff. The rate is a moving
 * average over one-second windows, never below {@value #MIN_RATE} per second.
 *
 * <p>Thread-safe (synchronized; called once per connect and once per refusal).
 */
final class ConnectPacer {

    static final double MIN_RATE = 50;
    static final double INITIAL_RATE = 500;
    /** A slot never lies further out than this: the agent re-checks by then anyway. */
    static final long MAX_RETRY_AFTER_MS = 30_000;
    private static final long WINDOW_MS = 1_000;

    private final Clock clock;
    private double rate = INITIAL_RATE;
    private long windowStartMs;
    private int completedInWindow;
    private long nextSlotMs;

    ConnectPacer(Clock clock) {
        this.clock = clock;
        this.windowStartMs = clock.millis();
    }

    /** A connect was written and welcomed. */
    synchronized void completed() {
        long now = clock.millis();
        roll(now);
        completedInWindow++;
    }

    /** Milliseconds the next refused agent should wait: the next free slot at the current rate. */
    synchronized long retryAfterMs() {
        long now = clock.millis();
        roll(now);
        long spacing = Math.max(1, Math.round(1_000 / rate));
        long slot = Math.max(nextSlotMs, now) + spacing;
        if (slot - now > MAX_RETRY_AFTER_MS) {
            // The queue of promised slots is longer than the cap: start over near now rather than
            // promising ever later slots (the agents re-check within the cap).
            slot = now + spacing;
        }
        nextSlotMs = slot;
        return slot - now;
    }

    /** Connects per second as currently estimated. */
    synchronized double rate() {
        roll(clock.millis());
        return rate;
    }

    private void roll(long now) {
        long elapsed = now - windowStartMs;
        if (elapsed < WINDOW_MS) {
            return;
        }
        if (completedInWindow > 0) {
            double measured = completedInWindow * 1_000.0 / elapsed;
            rate = Math.max(MIN_RATE, (rate + measured) / 2);
        }
        windowStartMs = now;
        completedInWindow = 0;
    }
}
