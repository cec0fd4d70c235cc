package io.muster.agent.inventory;

import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;

/**
 * {@link VitalsSource} of the real host, read with OSHI. CPU busy is measured between two
 * consecutive readings, so the first reading reports 0. Thread-safe (readings are serialised).
 */
public final class HostVitals implements VitalsSource {

    private final CentralProcessor cpu;
    private final GlobalMemory memory;
    private final oshi.software.os.OperatingSystem os;
    private long[] previousTicks;

    public HostVitals(SystemInfo system) {
        this.cpu = system.getHardware().getProcessor();
        this.memory = system.getHardware().getMemory();
        this.os = system.getOperatingSystem();
    }

    @Override
    public synchronized Vitals read() {
        double[] load = cpu.getSystemLoadAverage(3);
        long[] ticks = cpu.getSystemCpuLoadTicks();
        double busy = previousTicks == null ? 0 : cpu.getSystemCpuLoadBetweenTicks(previousTicks);
        previousTicks = ticks;
        return new Vitals(load[0], load[1], load[2], memory.getTotal() - memory.getAvailable(),
                os.getSystemUptime(), Math.max(0, Math.min(1, busy)));
    }
}
