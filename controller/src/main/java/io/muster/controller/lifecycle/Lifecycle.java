package io.muster.controller.lifecycle;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a host stands in its life in the fleet ({@code hosts.lifecycle}). Only {@link #READY}
 * hosts receive new work; the others are reached by lifecycle tasks alone.
 */
public enum Lifecycle {
    READY,
    CORDONED,
    DRAINING,
    MAINTENANCE,
    DECOMMISSIONED;

    /** Name in the API and in the database. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Lifecycle> fromWireName(String name) {
        for (Lifecycle lifecycle : values()) {
            if (lifecycle.wireName().equals(name)) {
                return Optional.of(lifecycle);
            }
        }
        return Optional.empty();
    }
}
