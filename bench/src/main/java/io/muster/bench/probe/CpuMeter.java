package io.muster.bench.probe;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU used by a set of processes between {@link #start} and {@link #stop}, as cores (CPU seconds
 * per wall second) and as a share of the machine. A process that dies meanwhile counts up to its
 * last reading. Not thread-safe.
 */
public final class CpuMeter {

    /** What the processes used over the interval. */
    public record Usage(double wallSeconds, Map<String, Double> coresByProcess, int machineCores) {

        public double cores() {
            return coresByProcess.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        /** CPU seconds the processes used over the interval (user + system, from /proc). */
        public double cpuSeconds() {
            return cores() * wallSeconds;
        }

        /** CPU microseconds per unit of work ({@code units} done over the interval); NaN for none. */
        public double microsPer(double units) {
            return units <= 0 ? Double.NaN : cpuSeconds() * 1e6 / units;
        }

        /** Share of the whole machine, 0..1. */
        public double machineShare() {
            return cores() / machineCores;
        }
    }

    /** A process to watch, by a name for the report. */
    public record Watched(String name, long pid) {
    }

    private final List<Watched> processes;
    private final Map<String, Double> startSeconds = new LinkedHashMap<>();
    private final Map<String, Double> lastSeconds = new LinkedHashMap<>();
    private long startNanos;

    public CpuMeter(List<Watched> processes) {
        this.processes = List.copyOf(processes);
    }

    public void start() {
        startNanos = System.nanoTime();
        for (Watched p : processes) {
            double s = ProcessCpu.seconds(p.pid()).orElse(0);
            startSeconds.put(p.name(), s);
            lastSeconds.put(p.name(), s);
        }
    }

    /** Takes a reading without ending the interval (keeps the last value of a process that dies). */
    public Usage sample() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        for (Watched p : processes) {
            ProcessCpu.seconds(p.pid()).ifPresent(s -> lastSeconds.put(p.name(), s));
            double used = lastSeconds.get(p.name()) - startSeconds.get(p.name());
            cores.put(p.name(), wall <= 0 ? 0 : used / wall);
        }
        return new Usage(wall, cores, Runtime.getRuntime().availableProcessors());
    }

    public Usage stop() {
        return sample();
    }
}
