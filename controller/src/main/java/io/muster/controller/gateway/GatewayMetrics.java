package io.muster.controller.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's meters, in the registry the HTTP API serves at /metrics: muster_connected_agents,
 * muster_heartbeats_received_total, muster_inventory_updates_total, muster_redirects_sent_total,
 * muster_sessions_refused_total (by reason; "busy" counts Hellos refused by connect admission,
 * "store-failed" accepted Hellos whose connect write failed, "store" Hellos refused while those
 * writes fail),
 * muster_connects_in_flight, and muster_heartbeat_handling_seconds (a timer with a histogram from
 * 1 µs, so the bench can read the p99 of a time window from two scrapes). Thread-safe.
 */
final class GatewayMetrics {

    private final Counter heartbeats;
    private final Timer heartbeatHandling;
    private final Counter inventoryUpdates;
    private final Counter redirects;
    private final MeterRegistry registry;

    GatewayMetrics(MeterRegistry registry, Supplier<Number> connectedAgents, Supplier<Number> connectsInFlight) {
        this.registry = registry;
        Gauge.builder("muster.connected.agents", connectedAgents)
                .description("agent sessions open on this member").register(registry);
        Gauge.builder("muster.connects.in.flight", connectsInFlight)
                .description("accepted Hellos waiting for their connect write").register(registry);
        this.heartbeats = Counter.builder("muster.heartbeats.received")
                .description("heartbeats received from agents").register(registry);
        // Handling a heartbeat takes microseconds: the default 1 ms lower bucket would hide it.
        this.heartbeatHandling = Timer.builder("muster.heartbeat.handling")
                .description("time to handle one heartbeat on the gateway")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofSeconds(1))
                .register(registry);
        this.inventoryUpdates = Counter.builder("muster.inventory.updates")
                .description("inventory snapshots and deltas stored").register(registry);
        this.redirects = Counter.builder("muster.redirects.sent")
                .description("agents redirected to another member").register(registry);
    }

    void heartbeat() {
        heartbeats.increment();
    }

    void heartbeatHandled(long nanos) {
        heartbeatHandling.record(nanos, TimeUnit.NANOSECONDS);
    }

    void inventoryUpdate() {
        inventoryUpdates.increment();
    }

    void redirect() {
        redirects.increment();
    }

    void refused(String reason) {
        registry.counter("muster.sessions.refused", "reason", reason).increment();
    }
}
