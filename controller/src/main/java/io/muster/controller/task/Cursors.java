package io.muster.controller.task;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/** Opaque keyset cursors (base64url text) for task and run listings (and other newest-first listings). */
public final class Cursors {

    private Cursors() {
    }

    /** Position after a task in newest-first order. */
    public record TaskPosition(OffsetDateTime createdAt, UUID id) {
    }

    public static String task(OffsetDateTime createdAt, UUID id) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt.toInstant());
        return encode(micros + "/" + id);
    }

    public static TaskPosition task(String cursor) {
        String text = decode(cursor);
        int slash = text.indexOf('/');
        try {
            long micros = Long.parseLong(text.substring(0, slash));
            UUID id = UUID.fromString(text.substring(slash + 1));
            Instant at = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
            return new TaskPosition(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), id);
        } catch (RuntimeException e) {
            throw new InvalidTaskRequestException("'cursor' is not a cursor this API gave out");
        }
    }

    static String run(String hostId) {
        return encode(hostId);
    }

    static String runHost(String cursor) {
        return decode(cursor);
    }

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            return text;
        } catch (IllegalArgumentException e) {
            throw new InvalidTaskRequestException("'cursor' is not a cursor this API gave out");
        }
    }
}
