package io.muster.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String TEXT = """
            # HELP jvm_memory_used_bytes The amount of used memory
            # TYPE jvm_memory_used_bytes gauge
            jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.2E7
            jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 3.0E7
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 5.0E7
            muster_heartbeats_received_total 1234.0
            muster_heartbeat_handling_seconds_bucket{le="1.0E-6"} 10
            muster_heartbeat_handling_seconds_bucket{le="+Inf"} 12
            weird_label{path="a \\"quoted\\", comma",x="y"} NaN
            not a sample line
            """;

    @Test
    void sumsTheSamplesWhoseLabelsMatch() {
        PrometheusText text = PrometheusText.parse(TEXT);

        assertThat(text.sum("jvm_memory_used_bytes", Map.of("area", "heap"))).isEqualTo(4.2e7);
        assertThat(text.sum("jvm_memory_used_bytes", Map.of())).isEqualTo(9.2e7);
        assertThat(text.sum("muster_heartbeats_received_total", Map.of())).isEqualTo(1234.0);
        assertThat(text.sum("absent_metric", Map.of())).isZero();
    }

    @Test
    void readsInfinityQuotedLabelsAndSkipsWhatItCannotRead() {
        PrometheusText text = PrometheusText.parse(TEXT);

        assertThat(text.first("muster_heartbeat_handling_seconds_bucket", Map.of("le", "+Inf"))).hasValue(12);
        assertThat(text.first("weird_label", Map.of("path", "a \"quoted\", comma", "x", "y"))).isPresent();
        assertThat(text.samples()).noneMatch(s -> s.name().equals("not"));
    }
}
