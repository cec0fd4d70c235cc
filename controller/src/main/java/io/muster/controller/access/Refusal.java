package io.muster.controller.access;

/**
 * Why {@link Access#check} refused an operation. Each transport turns it into its own answer
 * (an HTTP problem, a gRPC status, a GraphQL null or error) without deciding anything itself.
 */
public final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What the caller is told. */
    public enum Kind {
        /** No valid principal: 401 / UNAUTHENTICATED. */
        UNAUTHENTICATED,
        /** The role or the scope does not allow the operation at all: 403 / PERMISSION_DENIED. */
        FORBIDDEN,
        /** The host is outside the scope and reads as absent: 404 / NOT_FOUND. */
        HOST_NOT_FOUND,
        /** The task is not visible and reads as absent: 404 / NOT_FOUND. */
        TASK_NOT_FOUND,
        /** The target reaches {@link #count()} hosts outside the scope: 403 / PERMISSION_DENIED. */
        OUTSIDE_SCOPE
    }

    private final Kind kind;
    private final int count;

    public Refusal(Kind kind, String detail) {
        this(kind, detail, 0);
    }

    public Refusal(Kind kind, String detail, int count) {
        super(detail, null, false, false);
        this.kind = kind;
        this.count = count;
    }

    public Kind kind() {
        return kind;
    }

    /** The hosts outside the scope, for {@link Kind#OUTSIDE_SCOPE}. */
    public int count() {
        return count;
    }
}
