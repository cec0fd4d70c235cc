package io.muster.controller.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many calls that fail authentication one remote address may make: a token bucket per
 * address of {@link #BURST} calls, refilled at {@link #PER_SECOND} a second. Only refused calls
 * (no token, a bad or unknown one) take from the bucket, so a client with a good token never
 * empties it; but while an address's bucket is empty every call from it that needs a token is
 * refused with 429 before its token is looked at, so that a flood of made-up tokens reaches
 * neither the database nor the audit log. Each such episode (from the first 429 until the bucket
 * is full again) is logged and audited once, and every
 * call it refuses is counted in {@code muster_api_unauthenticated_limited_total}.
 *
 * <p>Addresses are what the socket says: behind a proxy every client shares the proxy's bucket.
 * The table is bounded ({@link #MAX_ADDRESSES}, then it starts over). Thread-safe, non-blocking.
 */
public final class UnauthenticatedLimit {

    private static final Logger LOG = LoggerFactory.getLogger(UnauthenticatedLimit.class);
    public static final int BURST = 100;
    public static final int PER_SECOND = 10;
    static final int MAX_ADDRESSES = 100_000;

    private final LongSupplier nanos;
    private final Counter limited;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens = BURST;
        long refilledNanos;
        boolean limiting;

        Bucket(long now) {
            refilledNanos = now;
        }

        void refill(long now) {
            tokens = Math.min(BURST, tokens + (now - refilledNanos) / 1e9 * PER_SECOND);
            refilledNanos = now;
        }
    }

    /** What {@link #admit} decided. */
    public enum Admission {
        /** Check the call's token. */
        CHECK,
        /** Refuse it (429); the first refusal of an episode, to be logged and audited. */
        REFUSE_FIRST,
        /** Refuse it (429). */
        REFUSE
    }

    public UnauthenticatedLimit(MeterRegistry registry, LongSupplier nanos) {
        this.nanos = nanos;
        this.limited = Counter.builder("muster_api_unauthenticated_limited")
                .description("Calls refused (429) because their address made too many calls that failed authentication")
                .register(registry);
    }

    /** Whether a call from {@code address} may have its token checked. */
    public Admission admit(String address) {
        Bucket bucket = buckets.get(address);
        if (bucket == null) {
            return Admission.CHECK;
        }
        synchronized (bucket) {
            bucket.refill(nanos.getAsLong());
            if (bucket.tokens >= 1) {
                // An episode ends once the address slowed down enough for its bucket to fill up again.
                if (bucket.tokens >= BURST) {
                    bucket.limiting = false;
                }
                return Admission.CHECK;
            }
            limited.increment();
            if (!bucket.limiting) {
                bucket.limiting = true;
                LOG.warn("{} made more than {} calls that failed authentication: its calls are refused (429) until it slows "
                        + "below {} a second", address, BURST, PER_SECOND);
                return Admission.REFUSE_FIRST;
            }
            return Admission.REFUSE;
        }
    }

    /** A call from {@code address} failed authentication. */
    public void refused(String address) {
        if (buckets.size() >= MAX_ADDRESSES && !buckets.containsKey(address)) {
            buckets.clear();
        }
        long now = nanos.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(address, a -> new Bucket(now));
        synchronized (bucket) {
            bucket.refill(now);
            bucket.tokens = Math.max(0, bucket.tokens - 1);
        }
    }

    /** Seconds until one more call from {@code address} would be checked (the Retry-After). */
    public long retryAfterSeconds(String address) {
        Bucket bucket = buckets.get(address);
        if (bucket == null) {
            return 0;
        }
        synchronized (bucket) {
            return (long) Math.ceil(Math.max(0, 1 - bucket.tokens) / PER_SECOND);
        }
    }

    /** Calls refused by the limit so far. */
    public double limitedCount() {
        return limited.count();
    }
}
