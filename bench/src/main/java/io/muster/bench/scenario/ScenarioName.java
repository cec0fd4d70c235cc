package io.muster.bench.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The scenarios of {@code muster bench}, in the order they run whatever order they are asked in:
 * the ceilings on a quiet machine first, then the fleet from nothing (connect), idle (steady),
 * one task to all (fanout), a member killed under load (failover: last, it leaves the fleet one
 * member short). {@code peer} runs on its own (Ansible and real agents, no simulated fleet).
 */
public enum ScenarioName {
    CEILING, CONNECT, STEADY, FANOUT, FAILOVER, PEER;

    /** The default set: everything but peer. */
    public static final List<ScenarioName> DEFAULTS = List.of(CEILING, CONNECT, STEADY, FANOUT, FAILOVER);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ScenarioName> fromWireName(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(name.strip().toLowerCase(Locale.ROOT))).findFirst();
    }

    /** Whether it needs the simulated fleet. */
    public boolean needsFleet() {
        return this == CONNECT || this == STEADY || this == FANOUT || this == FAILOVER;
    }
}
