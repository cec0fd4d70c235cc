package io.muster.bench.report;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one scenario measured: its figures (for results.json), the lines it contributes to
 * summary.md, and its charts by file name (e.g. {@code fanout-latency-cdf.svg}). Immutable.
 */
public record ScenarioResult(String name, JsonObject figures, List<String> summary, Map<String, SvgChart> charts) {

    public ScenarioResult {
        figures = figures.copy();
        summary = List.copyOf(summary);
        charts = new LinkedHashMap<>(charts);
    }

    public ScenarioResult(String name, JsonObject figures, List<String> summary) {
        this(name, figures, summary, Map.of());
    }
}
