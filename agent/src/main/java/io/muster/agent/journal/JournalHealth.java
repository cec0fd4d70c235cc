package io.muster.agent.journal;

import io.muster.proto.v1.HostEvent;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Tells the controller, as host events, when the task journal stops being written (kind
 * {@value #FAILED}, e.g. its disk is full: runs are then refused, not started) and when it is
 * written again ({@value #RECOVERED}). Events are re-sent after every Welcome until acknowledged;
 * at most {@link #KEPT} wait, oldest dropped first.
 *
 * <p>Thread-safe. {@link #changed} must not be called under the journal's lock when {@code send}
 * takes the session's lock (the session reads the journal under its own).
 */
public final class JournalHealth {

    public static final String FAILED = "journal-write-failed";
    public static final String RECOVERED = "journal-recovered";
    static final int KEPT = 16;

    private final Consumer<HostEvent> send;
    private final Clock clock;
    private final ArrayDeque<HostEvent> unacknowledged = new ArrayDeque<>();

    public JournalHealth(Consumer<HostEvent> send, Clock clock) {
        this.send = send;
        this.clock = clock;
    }

    /** The journal's durability changed: {@code failure} is why it cannot be written, null when it can again. */
    public void changed(String failure) {
        HostEvent event = HostEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setKind(failure == null ? RECOVERED : FAILED)
                .setMessage(failure == null ? "the task journal is written again; runs start again"
                        : failure + "; new runs are refused until it can be written, finished results are kept in memory")
                .setAtMs(clock.millis())
                .build();
        synchronized (this) {
            if (unacknowledged.size() == KEPT) {
                unacknowledged.poll();
            }
            unacknowledged.add(event);
        }
        send.accept(event);
    }

    /** Sends every unacknowledged event again (after a Welcome). */
    public void resend() {
        HostEvent[] waiting;
        synchronized (this) {
            waiting = unacknowledged.toArray(HostEvent[]::new);
        }
        for (HostEvent event : waiting) {
            send.accept(event);
        }
    }

    public synchronized void acknowledged(String eventId) {
        unacknowledged.removeIf(event -> event.getEventId().equals(eventId));
    }
}
