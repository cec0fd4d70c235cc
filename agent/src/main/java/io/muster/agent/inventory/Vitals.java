package io.muster.agent.inventory;

/**
 * Fast-moving figures of a host that ride on heartbeats, never on the inventory.
 *
 * @param load1         load average over 1 minute (negative when unknown)
 * @param load5         load average over 5 minutes
 * @param load15        load average over 15 minutes
 * @param memUsedBytes  physical memory in use
 * @param uptimeSeconds seconds since boot
 * @param cpuBusy       CPU busy fraction since the previous reading, 0..1
 */
public record Vitals(double load1, double load5, double load15, long memUsedBytes, long uptimeSeconds, double cpuBusy) {
}
