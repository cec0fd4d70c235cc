package io.muster.bench.probe;

import java.util.Map;
import java.util.NavigableMap;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * A Prometheus histogram's cumulative buckets summed over members, so that two readings give the
 * distribution of what happened between them (a percentile of the window, not of the process's
 * life). Immutable.
 */
public final class HistogramWindow {

    private final NavigableMap<Double, Double> cumulative;

    private HistogramWindow(NavigableMap<Double, Double> cumulative) {
        this.cumulative = cumulative;
    }

    /** The buckets of histogram {@code name} (without the {@code _bucket} suffix) summed over the readings. */
    public static HistogramWindow read(String name, Iterable<PrometheusText> readings) {
        NavigableMap<Double, Double> buckets = new TreeMap<>();
        for (PrometheusText text : readings) {
            for (PrometheusText.Sample sample : text.samples()) {
                if (sample.name().equals(name + "_bucket") && sample.labels().containsKey("le")) {
                    double le = parse(sample.labels().get("le"));
                    buckets.merge(le, sample.value(), Double::sum);
                }
            }
        }
        return new HistogramWindow(buckets);
    }

    /** What was observed after {@code earlier}: bucket by bucket differences. */
    public HistogramWindow since(HistogramWindow earlier) {
        NavigableMap<Double, Double> delta = new TreeMap<>();
        cumulative.forEach((le, count) -> delta.put(le, count - earlier.cumulative.getOrDefault(le, 0.0)));
        return new HistogramWindow(delta);
    }

    public double count() {
        return cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
    }

    /**
     * The upper bound of the bucket holding the {@code q} quantile (a value no observation at that
     * rank exceeded), in the histogram's unit; empty when nothing was observed.
     */
    public OptionalDouble quantileUpperBound(double q) {
        double total = count();
        if (total <= 0) {
            return OptionalDouble.empty();
        }
        double rank = q * total;
        for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= rank) {
                return OptionalDouble.of(bucket.getKey());
            }
        }
        return OptionalDouble.of(Double.POSITIVE_INFINITY);
    }

    private static double parse(String le) {
        return "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }
}
