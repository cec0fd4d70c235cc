package io.muster.controller.vitals;

import java.time.Instant;

/**
 * One bucket of a host's vitals series.
 *
 * @param at      the bucket's start
 * @param samples heartbeats folded into it
 * @param uptimeSeconds the largest uptime reported in it
 */
public record VitalsPoint(Instant at, int samples, Range load1, Range cpuBusy, Range memUsedBytes, long uptimeSeconds) {

    /** Minimum, mean and maximum over the bucket's heartbeats. */
    public record Range(Number min, double avg, Number max) {
    }
}
