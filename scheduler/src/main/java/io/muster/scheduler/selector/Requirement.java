package io.muster.scheduler.selector;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * One condition of a {@link Selector}; a selector is the AND of its requirements.
 *
 * <p>Every requirement reads one key and judges the host's value for that key in its text form
 * (see {@link HostValues}); {@code null} stands for an absent key. Instances are immutable and
 * safe to share between threads. The constructors validate keys and values, so a requirement
 * built in code is as well-formed as one produced by {@link Selector#parse(String)}.
 */
public sealed interface Requirement {

    /** The label or fact name this requirement reads. */
    String key();

    /**
     * Judges one host's value for {@link #key()}.
     *
     * @param value the value's text form, or {@code null} when the host has no such key
     */
    boolean test(String value);

    /** {@code key=value}: present and equal in text form. */
    record Equals(String key, String value) implements Requirement {
        public Equals {
            Keys.requireValid(key);
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean test(String actual) {
            return value.equals(actual);
        }

        @Override
        public String toString() {
            return key + "=" + Values.quote(value);
        }
    }

    /** {@code key!=value}: true when absent, as in Kubernetes. */
    record NotEquals(String key, String value) implements Requirement {
        public NotEquals {
            Keys.requireValid(key);
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean test(String actual) {
            return !value.equals(actual);
        }

        @Override
        public String toString() {
            return key + "!=" + Values.quote(value);
        }
    }

    /** {@code key in (a,b)}: present and equal to one of the values. */
    record In(String key, List<String> values) implements Requirement {
        public In {
            Keys.requireValid(key);
            values = Values.canonicalSet(values);
        }

        @Override
        public boolean test(String actual) {
            return actual != null && values.contains(actual);
        }

        @Override
        public String toString() {
            return key + " in " + Values.list(values);
        }
    }

    /** {@code key notin (a,b)}: true when absent or equal to none of the values. */
    record NotIn(String key, List<String> values) implements Requirement {
        public NotIn {
            Keys.requireValid(key);
            values = Values.canonicalSet(values);
        }

        @Override
        public boolean test(String actual) {
            return actual == null || !values.contains(actual);
        }

        @Override
        public String toString() {
            return key + " notin " + Values.list(values);
        }
    }

    /** {@code key}: the host has the key, whatever its value. */
    record Exists(String key) implements Requirement {
        public Exists {
            Keys.requireValid(key);
        }

        @Override
        public boolean test(String actual) {
            return actual != null;
        }

        @Override
        public String toString() {
            return key;
        }
    }

    /** {@code !key}: the host does not have the key. */
    record Absent(String key) implements Requirement {
        public Absent {
            Keys.requireValid(key);
        }

        @Override
        public boolean test(String actual) {
            return actual == null;
        }

        @Override
        public String toString() {
            return "!" + key;
        }
    }

    /**
     * {@code key>=32} and friends: false when the key is absent or its value is not a number
     * in {@link Numbers#isNumber plain decimal notation}.
     *
     * @param number the right-hand side as written, a valid number
     */
    record Compare(String key, Comparison comparison, String number) implements Requirement {
        public Compare {
            Keys.requireValid(key);
            Objects.requireNonNull(comparison, "comparison");
            if (!Numbers.isNumber(number)) {
                throw new IllegalArgumentException("not a number: " + number);
            }
        }

        /** The right-hand side as an exact decimal. */
        public BigDecimal value() {
            return new BigDecimal(number);
        }

        @Override
        public boolean test(String actual) {
            if (!Numbers.isNumber(actual)) {
                return false;
            }
            return comparison.holds(new BigDecimal(actual).compareTo(value()));
        }

        @Override
        public String toString() {
            return key + comparison.symbol() + number;
        }
    }

    /**
     * {@code key~glob}: present and matching the whole glob, where {@code *} is any run of
     * characters (also empty) and {@code ?} exactly one character; everything else is literal.
     */
    record Glob(String key, String pattern) implements Requirement {
        public Glob {
            Keys.requireValid(key);
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean test(String actual) {
            return actual != null && Globs.matches(pattern, actual);
        }

        @Override
        public String toString() {
            return key + "~" + Values.quote(pattern);
        }
    }

    /** Numeric comparison operators. */
    enum Comparison {
        GREATER(">"), GREATER_OR_EQUAL(">="), LESS("<"), LESS_OR_EQUAL("<=");

        private final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        /** Whether a {@link Comparable#compareTo} result of host value against the bound satisfies this. */
        boolean holds(int order) {
            switch (this) {
                case GREATER:
                    return order > 0;
                case GREATER_OR_EQUAL:
                    return order >= 0;
                case LESS:
                    return order < 0;
                default:
                    return order <= 0;
            }
        }
    }
}
