package io.muster.scheduler.selector;

import java.util.regex.Pattern;

/**
 * What counts as a number for comparisons. Both back ends use this exact pattern (the SQL back
 * end guards its numeric cast with it), so they agree on every input. The exponent is bounded so
 * that no accepted text can overflow PostgreSQL's {@code numeric}.
 */
final class Numbers {

    /** Plain JSON-like decimal: optional minus, digits, optional fraction, optional short exponent. */
    static final String REGEX = "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$";

    private static final Pattern NUMBER = Pattern.compile(REGEX);

    private Numbers() {
    }

    static boolean isNumber(String text) {
        return text != null && NUMBER.matcher(text).matches();
    }
}
