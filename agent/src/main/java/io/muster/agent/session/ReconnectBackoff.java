package io.muster.agent.session;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter: the delay before reconnect attempt {@code n} (0-based) is
 * uniform in {@code [0, min(max, base * 2^n)]}, so that agents that lost the same controller
 * spread their reconnects instead of storming the survivors. Thread-safe when its Random is.
 */
public final class ReconnectBackoff {

    public static final Duration DEFAULT_BASE = Duration.ofMillis(500);

    private final long baseMs;
    private final long maxMs;
    private final Random random;

    public ReconnectBackoff(Duration base, Duration max, Random random) {
        this.baseMs = Math.max(1, base.toMillis());
        this.maxMs = Math.max(baseMs, max.toMillis());
        this.random = random;
    }

    /** Upper bound of the delay for {@code attempt}: min(max, base * 2^attempt). */
    public long ceilingMs(int attempt) {
        int shift = Math.min(Math.max(attempt, 0), 40);
        long ceiling = baseMs << shift;
        return ceiling <= 0 || ceiling > maxMs || (ceiling >> shift) != baseMs ? maxMs : ceiling;
    }

    /** A delay drawn uniformly from [0, ceiling(attempt)]. */
    public Duration delay(int attempt) {
        return Duration.ofMillis(random.nextLong(ceilingMs(attempt) + 1));
    }
}
