package io.muster.controller.schedule;

/** No schedule with that id (a 404). */
public final class ScheduleNotFoundException extends RuntimeException {

    public ScheduleNotFoundException(String message) {
        super(message);
    }
}
