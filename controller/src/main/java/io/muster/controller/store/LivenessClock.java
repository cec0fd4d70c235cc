package io.muster.controller.store;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stamps liveness events (connect, heartbeat, disconnect) with strictly increasing times at
 * PostgreSQL's microsecond resolution, so that two events of one host recorded by this process
 * are never equal and the later one always wins when batched writes land out of order.
 * Thread-safe.
 */
final class LivenessClock {

    private final Clock clock;
    private final AtomicLong lastMicros = new AtomicLong(Long.MIN_VALUE);

    LivenessClock(Clock clock) {
        this.clock = clock;
    }

    OffsetDateTime next() {
        long now = ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant());
        long stamp = lastMicros.accumulateAndGet(now, (previous, candidate) -> Math.max(previous + 1, candidate));
        return OffsetDateTime.ofInstant(Instant.EPOCH.plus(stamp, ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    OffsetDateTime now() {
        return OffsetDateTime.now(clock);
    }
}
