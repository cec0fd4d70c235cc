package io.muster.agent.inventory;

/**
 * Reads the host's {@link Vitals}. Called once per heartbeat from the session's timer thread, so it
 * must be quick and must not block on I/O beyond reading /proc-like files.
 */
@FunctionalInterface
public interface VitalsSource {

    Vitals read();
}
