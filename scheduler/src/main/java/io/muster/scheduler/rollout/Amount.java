package io.muster.scheduler.rollout;

/**
 * A number of hosts given as a count ({@code 10}) or as a percent of the rollout's hosts
 * ({@code "25%"}). Immutable.
 *
 * @param value   the count, or the percent (1..100)
 * @param percent whether {@code value} is a percent
 */
public record Amount(int value, boolean percent) {

    public Amount {
        if (value < 0) {
            throw new IllegalArgumentException("must not be negative");
        }
        if (percent && value > 100) {
            throw new IllegalArgumentException("a percent must be at most 100%, got " + value + "%");
        }
    }

    public static Amount count(int value) {
        return new Amount(value, false);
    }

    public static Amount percentOf(int value) {
        return new Amount(value, true);
    }

    /**
     * Parses {@code 10}, {@code "10"} or {@code "25%"}.
     *
     * @throws IllegalArgumentException with a sentence naming what is wrong
     */
    public static Amount parse(Object raw) {
        if (raw instanceof Integer || raw instanceof Long) {
            return count(Math.toIntExact(((Number) raw).longValue()));
        }
        if (raw instanceof String text) {
            String trimmed = text.trim();
            try {
                if (trimmed.endsWith("%")) {
                    return percentOf(Integer.parseInt(trimmed.substring(0, trimmed.length() - 1).trim()));
                }
                return count(Integer.parseInt(trimmed));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a count like 10 or a percent like \"25%\", got \"" + text + "\"");
            }
        }
        throw new IllegalArgumentException("must be a count like 10 or a percent like \"25%\", got " + raw);
    }

    /** As a batch size: a percent of {@code total} rounded up, and never less than one host. */
    public int atLeastOneOf(int total) {
        int resolved = percent ? (int) Math.ceil(total * (value / 100.0)) : value;
        return Math.max(1, resolved);
    }

    /** As a budget: a percent of {@code total} rounded down (10% of 5 hosts allows no failure). */
    public int floorOf(int total) {
        return percent ? (int) Math.floor(total * (value / 100.0)) : value;
    }

    /** The wire form: a number, or a string with a percent sign. */
    public Object toWire() {
        return percent ? value + "%" : (Object) value;
    }

    @Override
    public String toString() {
        return percent ? value + "%" : Integer.toString(value);
    }
}
