package io.muster.controller.store;

/**
 * The database cannot be started or reached. The message is one sentence meant for the operator
 * (it names what to do, e.g. pass --db-url); callers print it as is, without a stack trace.
 */
public final class DatabaseUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
