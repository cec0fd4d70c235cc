package io.muster.agent.enrollment;

/** Enrollment failed; the message says why in one sentence fit for the operator. */
public final class EnrollmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EnrollmentException(String message) {
        super(message);
    }

    public EnrollmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
