package io.muster.bench.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Samples of a Prometheus text exposition (version 0.0.4): metric name, labels, value. Only what
 * the bench reads: no exemplars, no timestamps. Immutable and thread-safe.
 */
public final class PrometheusText {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = List.copyOf(samples);
    }

    /** Parses the text; comment lines and lines it cannot read are skipped. */
    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Sample sample = sample(line);
            if (sample != null) {
                samples.add(sample);
            }
        }
        return new PrometheusText(samples);
    }

    private static Sample sample(String line) {
        int brace = line.indexOf('{');
        int space;
        String name;
        Map<String, String> labels = new TreeMap<>();
        if (brace >= 0 && brace < line.indexOf(' ')) {
            name = line.substring(0, brace);
            int close = labels(line, brace + 1, labels);
            if (close < 0) {
                return null;
            }
            space = close + 1;
        } else {
            space = line.indexOf(' ');
            if (space < 0) {
                return null;
            }
            name = line.substring(0, space);
        }
        String rest = line.substring(space).strip();
        int end = rest.indexOf(' ');
        String number = end < 0 ? rest : rest.substring(0, end);
        try {
            return new Sample(name, labels, parseValue(number));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Reads {@code key="value",...} up to the closing brace; returns its index, -1 when malformed. */
    private static int labels(String line, int from, Map<String, String> into) {
        int i = from;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '}') {
                return i;
            }
            if (c == ',' || c == ' ') {
                i++;
                continue;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String key = line.substring(i, eq);
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            while (j < line.length() && line.charAt(j) != '"') {
                if (line.charAt(j) == '\\' && j + 1 < line.length()) {
                    char next = line.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(line.charAt(j));
                }
                j++;
            }
            if (j >= line.length()) {
                return -1;
            }
            into.put(key, value.toString());
            i = j + 1;
        }
        return -1;
    }

    private static double parseValue(String number) {
        return switch (number) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(number);
        };
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Sum of the samples named {@code name} whose labels include all of {@code match}; 0 when none. */
    public double sum(String name, Map<String, String> match) {
        double sum = 0;
        for (Sample sample : samples) {
            if (sample.name().equals(name) && sample.labels().entrySet().containsAll(match.entrySet())) {
                sum += sample.value();
            }
        }
        return sum;
    }

    /** The first sample named {@code name} whose labels include all of {@code match}. */
    public OptionalDouble first(String name, Map<String, String> match) {
        for (Sample sample : samples) {
            if (sample.name().equals(name) && sample.labels().entrySet().containsAll(match.entrySet())) {
                return OptionalDouble.of(sample.value());
            }
        }
        return OptionalDouble.empty();
    }
}
