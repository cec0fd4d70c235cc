package io.muster.bench.scenario;

import io.muster.bench.report.ScenarioResult;

/** One scenario of a bench run. Runs on the bench's main thread. */
public interface Scenario {

    /**
     * Measures and returns the figures.
     *
     * @throws IllegalStateException with one sentence when the fleet fails under it
     */
    ScenarioResult run(BenchContext context) throws Exception;
}
