package io.muster.controller.store;

import io.muster.proto.v1.Heartbeat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A host's vitals as one heartbeat reported them. Served with the host under the keys of
 * {@link #asMap()}, which selectors read like facts ({@code load.1m>8}).
 *
 * @param cpuBusy busy fraction of all CPUs since the previous heartbeat, 0..1
 */
public record Vitals(double load1, double load5, double load15, double cpuBusy, long memUsedBytes, long uptimeSeconds) {

    public static final String LOAD_1M = "load.1m";
    public static final String LOAD_5M = "load.5m";
    public static final String LOAD_15M = "load.15m";
    public static final String CPU_BUSY = "cpu.busy";
    public static final String MEM_USED = "mem.used_bytes";
    public static final String UPTIME = "uptime.seconds";

    /**
     * The heartbeat's vitals, empty when it carries none: proto3 cannot tell an unset field from
     * zero, and a running host always has memory in use and time since boot, so both zero means
     * the sender (an older or simulated agent) left them out.
     */
    public static Optional<Vitals> of(Heartbeat heartbeat) {
        if (heartbeat.getMemUsedBytes() <= 0 && heartbeat.getUptimeSeconds() <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Vitals(heartbeat.getLoad1(), heartbeat.getLoad5(), heartbeat.getLoad15(),
                heartbeat.getCpuBusy(), heartbeat.getMemUsedBytes(), heartbeat.getUptimeSeconds()));
    }

    /** The JSON object stored on the host and served with it. */
    public Map<String, Object> asMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(LOAD_1M, load1);
        map.put(LOAD_5M, load5);
        map.put(LOAD_15M, load15);
        map.put(CPU_BUSY, cpuBusy);
        map.put(MEM_USED, memUsedBytes);
        map.put(UPTIME, uptimeSeconds);
        return map;
    }
}
