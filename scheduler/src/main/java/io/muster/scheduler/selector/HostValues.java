package io.muster.scheduler.selector;

import java.math.BigDecimal;
import java.util.Map;

/**
 * How a host's value for a key is found and written as text, the form every requirement judges.
 *
 * <p>Labels override facts; keys under {@link Selector#CONTROLLER_OWNED_PREFIX} are labels only. The text form is the one PostgreSQL gives for a {@code jsonb} scalar
 * ({@code ->>}): strings as they are, integers in decimal, booleans as {@code true}/{@code false},
 * floating-point numbers in plain decimal notation ({@code 1.0E20} is {@code 100000000000000000000}).
 * A {@code null} value counts as absent, as a JSON {@code null} does in SQL.
 */
public final class HostValues {

    private HostValues() {
    }

    /**
     * The text form of {@code key} on a host, or {@code null} when neither labels nor facts have it.
     * A {@linkplain Selector#isControllerOwned controller-owned} key is read from the labels only.
     */
    public static String lookup(Map<String, String> labels, Map<String, ?> facts, String key) {
        String label = labels == null ? null : labels.get(key);
        if (label != null || Selector.isControllerOwned(key)) {
            return label;
        }
        return facts == null ? null : textOf(facts.get(key));
    }

    /** The text form of one fact value ({@code String}, {@code Long}/{@code Integer}, {@code Double} or {@code Boolean}). */
    public static String textOf(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                // JSON cannot carry these; they can never be stored, so keep a readable form.
                return Double.toString(d);
            }
            return new BigDecimal(Double.toString(d)).toPlainString();
        }
        if (value instanceof BigDecimal) {
            return ((BigDecimal) value).toPlainString();
        }
        return value.toString();
    }
}
