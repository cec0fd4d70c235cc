package io.muster.agent.session;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The host's clock corrected to the controller's: every Welcome carries the member's wall clock,
 * and a host whose own clock is off by a second or more stamps run times with the correction, so
 * a host an hour off still reports when its runs really started and ended. Smaller differences
 * are network latency and left alone (a correction that moved each time would reorder a run's
 * start and end).
 *
 * <p>Thread-safe: the offset is one volatile field.
 */
public final class ControllerClock extends Clock {

    static final long IGNORED_BELOW_MS = 1_000;

    private final Clock host;
    private volatile long offsetMs;

    public ControllerClock(Clock host) {
        this.host = host;
    }

    /** A Welcome said the controller's time is {@code serverTimeMs} (0: unknown). */
    public void learn(long serverTimeMs) {
        if (serverTimeMs <= 0) {
            return;
        }
        long offset = serverTimeMs - host.millis();
        offsetMs = Math.abs(offset) < IGNORED_BELOW_MS ? 0 : offset;
    }

    /** Milliseconds added to the host's clock (0 while within a second of the controller's). */
    public long offsetMs() {
        return offsetMs;
    }

    @Override
    public long millis() {
        return host.millis() + offsetMs;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** The same corrected instants, read in {@code zone}; it follows later corrections too. */
    @Override
    public Clock withZone(ZoneId zone) {
        return zone.equals(ZoneOffset.UTC) ? this : new Zoned(this, zone);
    }

    private static final class Zoned extends Clock {

        private final ControllerClock source;
        private final ZoneId zone;

        Zoned(ControllerClock source, ZoneId zone) {
            this.source = source;
            this.zone = zone;
        }

        @Override
        public long millis() {
            return source.millis();
        }

        @Override
        public Instant instant() {
            return source.instant();
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId other) {
            return source.withZone(other);
        }
    }
}
