package io.muster.scheduler.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Which tick a schedule fires now, if any. Every tick not older than {@link #GRACE} fires, once
 * and in order (a member taking a schedule over after its owner died fires the ticks it missed
 * meanwhile, one per call). Ticks older than that were missed while no member could fire (the
 * cluster was down): with {@link CatchUp#NONE} they never fire; with {@link CatchUp#LAST} the
 * latest of them fires once, however late, and the others never. Pure.
 */
public final class Firing {

    /** How late a tick may still fire without catch-up (a member takeover takes seconds). */
    public static final Duration GRACE = Duration.ofSeconds(30);

    public enum CatchUp { NONE, LAST }

    private Firing() {
    }

    /**
     * @param lastFired the latest tick already handled (or before which nothing may fire), or null
     * @return the tick to fire now, or empty; call again after firing it for the next one
     */
    public static Optional<Instant> due(Cron cron, Instant lastFired, Instant now, CatchUp catchUp) {
        Instant horizon = now.minus(GRACE);
        // The earliest tick after lastFired that is at most GRACE old (nextAfter is strictly after).
        Instant from = lastFired == null || lastFired.isBefore(horizon) ? horizon.minusNanos(1) : lastFired;
        Optional<Instant> recent = cron.nextAfter(from).filter(tick -> !tick.isAfter(now));
        if (recent.isPresent() || catchUp == CatchUp.NONE) {
            return recent;
        }
        return cron.latestAtOrBefore(now).filter(tick -> lastFired == null || tick.isAfter(lastFired));
    }
}
