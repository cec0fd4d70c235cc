package io.muster.controller.event;

/**
 * A place in the event stream: after the event {@code id} with order key {@code tx}. Its text
 * form {@code "tx.id"} is the SSE event id a client sends back as {@code Last-Event-ID}.
 */
public record StreamPosition(long tx, long id) {

    /** The position just after this event. */
    public static StreamPosition of(FleetEvent event) {
        return new StreamPosition(event.tx(), event.id());
    }

    /** Parses {@code "tx.id"}; IllegalArgumentException names what is wrong. */
    public static StreamPosition parse(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1) {
            throw new IllegalArgumentException("Last-Event-ID must look like '<tx>.<id>' (an id this stream sent), got '"
                    + text + "'");
        }
        try {
            long tx = Long.parseLong(text.substring(0, dot));
            long id = Long.parseLong(text.substring(dot + 1));
            if (tx < 0 || id < 0) {
                throw new NumberFormatException();
            }
            return new StreamPosition(tx, id);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Last-Event-ID must look like '<tx>.<id>' with two non-negative numbers, got '"
                    + text + "'");
        }
    }

    @Override
    public String toString() {
        return tx + "." + id;
    }
}
