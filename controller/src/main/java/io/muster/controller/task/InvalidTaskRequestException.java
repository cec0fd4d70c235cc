package io.muster.controller.task;

/**
 * A task request that cannot be accepted; the message is one sentence for the person who sent it
 * (it becomes the {@code detail} of a 400 problem). Nothing was written when this is thrown.
 */
public final class InvalidTaskRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Integer column;

    public InvalidTaskRequestException(String detail) {
        this(detail, null);
    }

    /** @param column 1-based column of a malformed selector, or null */
    public InvalidTaskRequestException(String detail, Integer column) {
        super(detail, null, false, false);
        this.column = column;
    }

    /** Column of the selector error this request had, if that was the problem. */
    public java.util.Optional<Integer> selectorColumn() {
        return java.util.Optional.ofNullable(column);
    }
}
