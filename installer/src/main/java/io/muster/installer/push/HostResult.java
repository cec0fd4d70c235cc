package io.muster.installer.push;

import java.time.Duration;

/**
 * The result for one host.
 *
 * @param host    the host as given ({@code host} or {@code host:port})
 * @param outcome what happened
 * @param hostId  the agent's host id, when known
 * @param detail  one line: the reason of a failure, or what was done
 * @param took    wall time spent on this host
 */
public record HostResult(String host, HostOutcome outcome, String hostId, String detail, Duration took) {
}
