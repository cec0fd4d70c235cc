package io.muster.proto.refusal;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.OptionalLong;

/**
 * The gateway's "come back in N ms" on a refused connect (UNAVAILABLE "member busy" or "member
 * starting"): a trailer of the error status, so the wire messages stay as they are. The member
 * chooses N to spread a connect storm over the time it needs to write the connects; the agent
 * waits N (with no backoff growth) instead of its own backoff. An agent of the previous version
 * ignores the trailer and backs off as before; an agent talking to a previous member finds none.
 */
public final class RetryAfter {

    /** Trailer key: milliseconds as a decimal number. */
    public static final Metadata.Key<String> KEY = Metadata.Key.of("muster-retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);

    private RetryAfter() {
    }

    /** Trailers carrying {@code millis}. */
    public static Metadata trailers(long millis) {
        Metadata trailers = new Metadata();
        trailers.put(KEY, Long.toString(Math.max(0, millis)));
        return trailers;
    }

    /** The retry-after of a failed call, empty when the member sent none (or garbage). */
    public static OptionalLong of(Throwable error) {
        Metadata trailers = Status.trailersFromThrowable(error);
        String value = trailers == null ? null : trailers.get(KEY);
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            long millis = Long.parseLong(value.strip());
            return millis < 0 ? OptionalLong.empty() : OptionalLong.of(millis);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
