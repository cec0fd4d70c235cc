package io.muster.controller.schedule;

/** The request conflicts with the schedule's state or another schedule's name (a 409). */
public final class ScheduleConflictException extends RuntimeException {

    public ScheduleConflictException(String message) {
        super(message);
    }
}
