package io.muster.scheduler.rollout;

import java.time.Instant;

/**
 * A planned host and where it is now.
 *
 * @param since when it reached {@code progress} (the run's or health check's end); null while
 *              planned or running
 */
public record HostSlot(PlannedHost host, HostProgress progress, Instant since) {

    public int position() {
        return host.position();
    }

    public int wave() {
        return host.wave();
    }
}
