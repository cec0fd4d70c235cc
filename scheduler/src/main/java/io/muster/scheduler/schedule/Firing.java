package io.muster.scheduler.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Which tick a schedule fires now, if any. Only the latest due tick is ever fired: ticks missed
 * while no member could fire are not run one after another. With {@link CatchUp#NONE} a tick
 * older than {@link #GRACE} is missed for good; with {@link CatchUp#LAST} the latest missed tick
 * fires however late. Pure.
 */
public final class Firing {

    /** How late a tick may still fire without catch-up (a member takeover takes seconds). */
    public static final Duration GRACE = Duration.ofSeconds(30);

    public enum CatchUp { NONE, LAST }

    private Firing() {
    }

    /**
     * @param lastFired the latest tick already fired, or null
     * @return the tick to fire now, or empty
     */
    public static Optional<Instant> due(Cron cron, Instant lastFired, Instant now, CatchUp catchUp) {
        Optional<Instant> latest = cron.latestAtOrBefore(now);
        if (latest.isEmpty() || (lastFired != null && !latest.get().isAfter(lastFired))) {
            return Optional.empty();
        }
        if (catchUp == CatchUp.NONE && Duration.between(latest.get(), now).compareTo(GRACE) > 0) {
            return Optional.empty();
        }
        return latest;
    }
}
