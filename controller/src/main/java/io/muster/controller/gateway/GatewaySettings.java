package io.muster.controller.gateway;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the agent gateway.
 *
 * @param heartbeat            interval agents are told to heartbeat at; a session silent for
 *                             three intervals is closed and its host recorded offline
 * @param inventoryLimitBytes  largest serialized Inventory (or InventoryDelta) accepted
 * @param flushInterval        the store's last-seen flush interval: the cluster-wide stale-host
 *                             sweep waits for it on top of three heartbeats so it never marks a
 *                             host whose heartbeats are merely not flushed yet
 * @param clock                time source for liveness and session timestamps
 * @param maxConnectsInFlight  Hellos admitted while their connect write is pending; beyond that a
 *                             Hello is refused at once (UNAVAILABLE "member busy") so the agent
 *                             backs off with jitter instead of waiting for a late Welcome and
 *                             retrying into the same queue
 */
public record GatewaySettings(Duration heartbeat, int inventoryLimitBytes, Duration flushInterval, Clock clock,
                              int maxConnectsInFlight) {

    public static final int DEFAULT_MAX_CONNECTS_IN_FLIGHT = 2_000;

    public static final int DEFAULT_INVENTORY_LIMIT = 1 << 20;
    /** Headroom above the inventory limit so an oversized inventory reaches our own check. */
    private static final int INBOUND_HEADROOM = 64 * 1024;

    public GatewaySettings {
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(clock, "clock");
        if (heartbeat.isZero() || heartbeat.isNegative()) {
            throw new IllegalArgumentException("heartbeat must be positive, got " + heartbeat);
        }
        if (inventoryLimitBytes <= 0) {
            throw new IllegalArgumentException("inventoryLimitBytes must be positive, got " + inventoryLimitBytes);
        }
        if (maxConnectsInFlight <= 0) {
            throw new IllegalArgumentException("maxConnectsInFlight must be positive, got " + maxConnectsInFlight);
        }
    }

    /** The default connect admission limit. */
    public GatewaySettings(Duration heartbeat, int inventoryLimitBytes, Duration flushInterval, Clock clock) {
        this(heartbeat, inventoryLimitBytes, flushInterval, clock, DEFAULT_MAX_CONNECTS_IN_FLIGHT);
    }

    /** Silence after which a session is closed and its host is offline: three heartbeats. */
    public Duration silenceLimit() {
        return heartbeat.multipliedBy(3);
    }

    /**
     * Silence after which the cluster-wide sweep marks a host offline in the database: three
     * heartbeats plus two flush intervals, so a flush in flight never makes a live host stale.
     */
    public Duration staleAfter() {
        return silenceLimit().plus(flushInterval.multipliedBy(2));
    }

    /**
     * How often a member re-asserts its sessions in the sessions map ({@link SessionReconciler}):
     * two heartbeats, within 2-20 s. Not faster than a session's own claim and release settle (so a
     * pass rarely chases a write in flight), and bounded so a map emptied by a merge is repaired in
     * seconds, not minutes (10 s heartbeats: every 20 s).
     */
    public Duration reconcileEvery() {
        Duration twice = heartbeat.multipliedBy(2);
        if (twice.compareTo(Duration.ofSeconds(2)) < 0) {
            return Duration.ofSeconds(2);
        }
        return twice.compareTo(Duration.ofSeconds(20)) > 0 ? Duration.ofSeconds(20) : twice;
    }

    /** gRPC's own per-message ceiling, a bit above the inventory limit. */
    public int maxInboundMessageSize() {
        return inventoryLimitBytes + INBOUND_HEADROOM;
    }
}
