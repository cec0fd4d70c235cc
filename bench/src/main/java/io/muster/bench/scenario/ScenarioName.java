package io.muster.bench.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The scenarios of {@code muster bench}, in the order they run whatever order they are asked in:
 * the ceilings on a quiet machine first, then the fleet from nothing (connect), idle (steady),
 * one task to all (fanout), a rollout in waves with a failure budget (rollout, only when asked
 * for), a member killed under load (failover: last, it leaves the fleet one member short). {@code peer} (Ansible and real agents) and {@code footprint} (one real agent's
 * memory) and {@code install} (push install onto container hosts, next to Ansible) run on their own, without the simulated fleet, and only when asked for.
 */
public enum ScenarioName {
    CEILING, CONNECT, STEADY, FANOUT, ROLLOUT, FAILOVER, CHAOS, SOAK, PEER, FOOTPRINT, INSTALL;

    /** The default set: everything but peer, footprint and install. */
    public static final List<ScenarioName> DEFAULTS = List.of(CEILING, CONNECT, STEADY, FANOUT, FAILOVER);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ScenarioName> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(name.strip().toLowerCase(Locale.ROOT))).findFirst();
    }

    /** Whether it breaks or drains the fleet for good, so it runs alone (with connect). */
    public boolean alone() {
        return this == CHAOS || this == SOAK;
    }

    /** Whether it needs the simulated fleet. */
    public boolean needsFleet() {
        return this == CONNECT || this == STEADY || this == FANOUT || this == ROLLOUT || this == FAILOVER || this == CHAOS || this == SOAK;
    }
}
