package io.muster.controller.http;

/**
 * Carries a {@link Problem} from a handler to the router's failure handler: throw it, or pass it
 * to {@code RoutingContext.fail}, from any route mounted on {@link HttpApi#router()}.
 */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
