package io.muster.client;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;

/**
 * The controller answered with an error status and (usually) an RFC 9457 problem body. The
 * message reads "title: detail (HTTP status)". Statuses with a meaning of their own have their
 * own subclass, so callers can catch what they can act on.
 */
public class ProblemException extends MusterException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String title;
    private final String detail;
    private final transient JsonObject problem;

    protected ProblemException(int status, JsonObject problem, String title, String detail) {
        super(title + (detail == null || detail.isBlank() ? "" : ": " + detail) + " (HTTP " + status + ")");
        this.status = status;
        this.problem = problem;
        this.type = problem.getString("type");
        this.title = title;
        this.detail = detail;
    }

    /** The problem of an answer with this status and body (a non-JSON body becomes the detail). */
    static ProblemException of(int status, String body, Optional<String> retryAfter) {
        JsonObject problem;
        String title;
        String detail;
        try {
            problem = body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
            title = problem.getString("title", "HTTP " + status);
            detail = problem.getString("detail");
        } catch (DecodeException | ClassCastException e) {
            problem = new JsonObject();
            title = "HTTP " + status;
            detail = body == null ? null : body.strip();
        }
        return switch (status) {
            case 400, 413, 414, 422, 431 -> new BadRequestException(status, problem, title, detail);
            case 401 -> new UnauthorizedException(status, problem, title, detail);
            case 403 -> new ForbiddenException(status, problem, title, detail);
            case 404 -> new NotFoundException(status, problem, title, detail);
            case 409 -> new ConflictException(status, problem, title, detail);
            case 503 -> new UnavailableException(status, problem, title, detail, retryAfter.flatMap(ProblemException::delay));
            default -> new ProblemException(status, problem, title, detail);
        };
    }

    // Retry-After as delay-seconds, the form the controller sends.
    private static Optional<Duration> delay(String header) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(header.strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public int status() {
        return status;
    }

    /** The problem type URI (its last segment names the case, e.g. ".../invalid-selector"), or null. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** The detail, often naming the field at fault; null when none. */
    public String detail() {
        return detail;
    }

    /** The whole problem body (extension members included); empty when the body was not JSON. */
    public JsonObject problem() {
        return problem.copy();
    }
}
