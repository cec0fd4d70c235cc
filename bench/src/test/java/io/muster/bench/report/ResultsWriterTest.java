package io.muster.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesJsonSummaryAndChartsOfEveryScenario() throws Exception {
        ScenarioResult fanout = new ScenarioResult("fanout", new JsonObject().put("latencyP99Seconds", 1.5),
                List.of("5,000 runs"), Map.of("fanout-latency-cdf.svg", SvgChart.cdf("t", "s", new double[] {0.1, 0.2})));
        ScenarioResult failover = new ScenarioResult("failover", new JsonObject().put("error", "not all back"), List.of());
        JsonObject machine = new JsonObject().put("cores", 2).put("cpuModel", "test").put("memoryBytes", 1L << 30)
                .put("kernel", "Linux").put("jdk", "25").put("loadAverageAtStart", 1.0).put("loadAverageAtEnd", 2.0);

        List<Path> written = new ResultsWriter().write(dir.resolve("run"), new JsonObject().put("agents", 5000), machine,
                List.of(fanout, failover), new JsonObject().put("ratio", 0.25),
                List.of(new ResultsWriter.Target("fan-out p99", "<= 3 s", "1.500 s", true)), "muster bench --quick");

        assertThat(written).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("results.json", "fanout-latency-cdf.svg", "summary.md");
        JsonObject json = new JsonObject(Files.readString(dir.resolve("run/results.json"), StandardCharsets.UTF_8));
        assertThat(json.getJsonObject("scenarios").getJsonObject("fanout").getDouble("latencyP99Seconds")).isEqualTo(1.5);
        assertThat(json.getJsonObject("machine").getInteger("cores")).isEqualTo(2);
        String summary = Files.readString(dir.resolve("run/summary.md"), StandardCharsets.UTF_8);
        assertThat(summary).contains("`muster bench --quick`", "| fan-out p99 | <= 3 s | 1.500 s | yes |",
                "- **failed**: not all back", "![fanout-latency-cdf.svg](fanout-latency-cdf.svg)", "ratio: 0.2500");
    }
}
