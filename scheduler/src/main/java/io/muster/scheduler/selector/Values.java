package io.muster.scheduler.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/** Canonical printing of selector values. */
final class Values {

    private Values() {
    }

    /** Characters that may stand unquoted in the canonical form. */
    static boolean isBareChar(char c) {
        return Keys.isKeyChar(c) || c == '*' || c == '?' || c == ':' || c == '@' || c == '+';
    }

    static String quote(String value) {
        boolean bare = !value.isEmpty();
        for (int i = 0; bare && i < value.length(); i++) {
            bare = isBareChar(value.charAt(i));
        }
        if (bare) {
            return value;
        }
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }

    /** Sorted, without duplicates and non-empty: a set's order and repetitions mean nothing. */
    static List<String> canonicalSet(List<String> values) {
        Objects.requireNonNull(values, "values");
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a value set needs at least one value");
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (String value : values) {
            sorted.add(Objects.requireNonNull(value, "value"));
        }
        return List.copyOf(new ArrayList<>(sorted));
    }

    static String list(List<String> values) {
        StringBuilder out = new StringBuilder("(");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(quote(values.get(i)));
        }
        return out.append(')').toString();
    }
}
