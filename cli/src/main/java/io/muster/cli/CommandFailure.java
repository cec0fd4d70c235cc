package io.muster.cli;

/**
 * A runtime failure whose message is the one line the user needs: what went wrong and, where
 * there is one, what to do about it. Reported without a stack trace.
 */
public class CommandFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CommandFailure(String message) {
        super(message);
    }

    public CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
