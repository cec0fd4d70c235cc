package io.muster.controller.schedule;

/** A schedule request that cannot be accepted; names the field at fault (a 400). */
public final class InvalidScheduleException extends RuntimeException {

    private final String field;

    public InvalidScheduleException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field at fault, as a JSON path ({@code cron}, {@code task.spec}). */
    public String field() {
        return field;
    }
}
