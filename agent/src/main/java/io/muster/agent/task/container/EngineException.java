package io.muster.agent.task.container;

/**
 * The container engine refused a request or could not be reached.
 *
 * <p>{@link #getMessage()} is the engine's own {@code message} verbatim when the engine answered,
 * so that a failed run shows people what the engine said; {@link #status()} is the HTTP status,
 * or {@link #NOT_REACHABLE} when no answer came at all.
 */
public final class EngineException extends Exception {

    /** Status used when the engine could not be reached or the exchange broke off. */
    public static final int NOT_REACHABLE = 0;

    private final int status;

    public EngineException(int status, String message) {
        super(message);
        this.status = status;
    }

    public EngineException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** True when the engine answered 404 (no such container or image). */
    public boolean notFound() {
        return status == 404;
    }
}
