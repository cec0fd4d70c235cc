package io.muster.agent.simulation;

import java.util.Map;

/**
 * Which simulated hosts fail every run they get (to test rollouts that stop on failure). The
 * simulator asks once per host, with its generated facts ({@code dc}, {@code role},
 * {@code hostname}, ...: text, {@code Long}, {@code Double} or {@code Boolean} values).
 */
@FunctionalInterface
public interface FailingHosts {

    FailingHosts NONE = (hostId, facts) -> false;

    boolean fails(String hostId, Map<String, Object> facts);
}
