package io.muster.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistogramWindowTest {

    private static PrometheusText buckets(long fast, long medium, long all) {
        return PrometheusText.parse("h_seconds_bucket{le=\"0.001\"} " + fast + "\n"
                + "h_seconds_bucket{le=\"0.01\"} " + medium + "\n"
                + "h_seconds_bucket{le=\"+Inf\"} " + all + "\n");
    }

    @Test
    void theQuantileOfAWindowIgnoresWhatCameBefore() {
        HistogramWindow before = HistogramWindow.read("h_seconds", List.of(buckets(1000, 1000, 1000)));
        // In the window: 90 fast, 9 medium, 1 slow.
        HistogramWindow after = HistogramWindow.read("h_seconds", List.of(buckets(1090, 1099, 1100)));

        HistogramWindow window = after.since(before);

        assertThat(window.count()).isEqualTo(100);
        assertThat(window.quantileUpperBound(0.5)).hasValue(0.001);
        assertThat(window.quantileUpperBound(0.95)).hasValue(0.01);
        assertThat(window.quantileUpperBound(0.999)).hasValue(Double.POSITIVE_INFINITY);
        // Over the whole life the fast bucket dominates.
        assertThat(after.quantileUpperBound(0.99)).hasValue(0.001);
    }

    @Test
    void bucketsOfSeveralMembersAddUpAndAnEmptyWindowHasNoQuantile() {
        HistogramWindow two = HistogramWindow.read("h_seconds", List.of(buckets(1, 2, 3), buckets(10, 20, 30)));

        assertThat(two.count()).isEqualTo(33);
        assertThat(two.since(two).quantileUpperBound(0.99)).isEmpty();
        assertThat(HistogramWindow.read("other", List.of(buckets(1, 2, 3))).count()).isZero();
    }
}
