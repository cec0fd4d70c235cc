package io.muster.bench.fleet;

import io.muster.cli.simulate.ExecutionReport;
import io.muster.launch.ChildProcess;
import java.nio.file.Path;

/**
 * One simulator process ({@code muster simulate}) of the bench fleet.
 *
 * @param index        0-based; also its seed and host-id prefix ({@code sim<index>-})
 * @param process      the JVM
 * @param agents       how many agents it runs
 * @param reportFile   the execution report it writes when stopped (see {@link ExecutionReport})
 */
public record Simulator(int index, ChildProcess process, int agents, Path reportFile) {
}
