package io.muster.bench.scenario;

import io.muster.bench.probe.CpuMeter;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * CPU per unit of work (a completed run, a heartbeat, a connect) of the members and of the
 * simulators, from their /proc CPU time over a scenario: the figure that does not depend on how
 * loaded the machine is, unlike wall clock. Immutable.
 *
 * @param unit       what was counted ("run", "heartbeat", "connect")
 * @param units      how many were done over the interval
 * @param members    the members' CPU over the interval
 * @param simulators the simulators' CPU over the interval
 */
record UnitCost(String unit, double units, CpuMeter.Usage members, CpuMeter.Usage simulators) {

    double memberMicros() {
        return members.microsPer(units);
    }

    double simulatorMicros() {
        return simulators.microsPer(units);
    }

    /** Adds memberCpuMicrosPer&lt;Unit&gt;, simulatorCpuMicrosPer&lt;Unit&gt; and the CPU seconds behind them. */
    JsonObject addTo(JsonObject figures) {
        String name = Character.toUpperCase(unit.charAt(0)) + unit.substring(1);
        return figures.put("memberCpuMicrosPer" + name, finite(memberMicros()))
                .put("simulatorCpuMicrosPer" + name, finite(simulatorMicros()))
                .put("memberCpuSeconds", members.cpuSeconds())
                .put("simulatorCpuSeconds", simulators.cpuSeconds())
                .put("costUnits", units);
    }

    /** One summary line: "members' CPU 85 µs per run, simulators 40 µs per run (20,000 runs, ...)". */
    String line() {
        return String.format(Locale.ROOT,
                "members' CPU %.0f µs per %s, simulators %.0f µs per %s (%,.0f %ss; members %.2f CPU s, simulators %.2f CPU s over %.1f s)",
                memberMicros(), unit, simulatorMicros(), unit, units, unit, members.cpuSeconds(), simulators.cpuSeconds(),
                members.wallSeconds());
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
