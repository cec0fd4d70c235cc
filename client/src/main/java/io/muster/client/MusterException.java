package io.muster.client;

/**
 * A call to the controller failed. Subclasses say how: {@link UnreachableException} (nothing
 * answered), {@link ProblemException} and its subclasses (the controller refused, with an RFC 9457
 * problem). Otherwise the request broke on the way or the answer could not be read; the message
 * says which request.
 */
public class MusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MusterException(String message) {
        super(message);
    }

    public MusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
