package io.muster.controller.gateway;

import java.time.Clock;

/**
 * Whether this member takes new Hellos while its connect writes fail. A Hello is accepted before
 * its connect is written; when the store cannot write it (the database down, or starved so that
 * the pool times out) the stream is closed and the agent comes back. Accepting every such Hello
 * turns a slow database into a reconnect storm that takes pool connections from the sessions that
 * still work (the 1-hour soak at 20,000 agents on a starved database: thousands of connects
 * accepted, failed and retried in waves). So after a failed connect write the breaker opens:
 * Hellos are refused at once with a retry-after for {@link #FIRST_OPEN_MS}, doubling on every
 * failed probe up to {@link #MAX_OPEN_MS}; once the window passes, ONE Hello is let through as a
 * probe while the others keep being refused, and the first connect written closes the breaker.
 *
 * <p>Failures of writes admitted before the breaker opened do not lengthen the window: a batch of
 * 500 failing together is one failure, not 500 doublings.
 *
 * <p>Thread-safe (synchronized; called once per Hello and once per connect outcome).
 */
final class StoreBreaker {

    static final long FIRST_OPEN_MS = 1_000;
    static final long MAX_OPEN_MS = 5_000;

    private final Clock clock;
    /** 0 while closed; else the length of the current (or last) open window. */
    private long openMs;
    private long openUntilMs;
    private boolean probing;

    StoreBreaker(Clock clock) {
        this.clock = clock;
    }

    /**
     * 0 to admit this Hello (it becomes the probe when the breaker is half open); otherwise how
     * long, in milliseconds, the breaker stays open: the caller refuses the Hello.
     */
    synchronized long refuseForMs() {
        if (openMs == 0) {
            return 0;
        }
        long now = clock.millis();
        if (now < openUntilMs) {
            return openUntilMs - now;
        }
        if (probing) {
            // Half open with the probe still out: the others wait for its outcome, briefly.
            return FIRST_OPEN_MS;
        }
        probing = true;
        return 0;
    }

    /** A connect was written: the store works again. Returns true when this closed the breaker (for a log line). */
    synchronized boolean succeeded() {
        boolean wasOpen = openMs != 0;
        openMs = 0;
        openUntilMs = 0;
        probing = false;
        return wasOpen;
    }

    /** A connect write failed. Returns true when this failure opened the breaker (for a log line). */
    synchronized boolean failed() {
        long now = clock.millis();
        if (openMs != 0 && (now < openUntilMs || !probing)) {
            // Open already, or half open with no probe out: a write admitted earlier failing late.
            return false;
        }
        boolean opened = openMs == 0;
        openMs = opened ? FIRST_OPEN_MS : Math.min(openMs * 2, MAX_OPEN_MS);
        openUntilMs = now + openMs;
        probing = false;
        return opened;
    }
}
