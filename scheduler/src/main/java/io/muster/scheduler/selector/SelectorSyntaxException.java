package io.muster.scheduler.selector;

/**
 * A selector that cannot be parsed. The message reads {@code at column 7: expected a value after '='},
 * fit to show to the person who wrote the selector.
 */
public final class SelectorSyntaxException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int column;
    private final String expected;

    public SelectorSyntaxException(int column, String expected) {
        super("at column " + column + ": expected " + expected);
        this.column = column;
        this.expected = expected;
    }

    /** 1-based position of the first character that could not be accepted (length + 1 at the end). */
    public int column() {
        return column;
    }

    /** What the parser wanted at that position, e.g. {@code a value after '='}. */
    public String expected() {
        return expected;
    }
}
