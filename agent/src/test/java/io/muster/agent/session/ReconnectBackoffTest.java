package io.muster.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    @Test
    void delay_fullJitter_staysWithinCeilingAndSpreadsOverIt() {
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(42));
        for (int attempt = 0; attempt < 12; attempt++) {
            long ceiling = Math.min(30_000, 500L << attempt);
            assertThat(backoff.ceilingMs(attempt)).isEqualTo(ceiling);
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 2000; i++) {
                long delay = backoff.delay(attempt).toMillis();
                assertThat(delay).isBetween(0L, ceiling);
                min = Math.min(min, delay);
                max = Math.max(max, delay);
            }
            assertThat(min).as("full jitter reaches near zero").isLessThan(ceiling / 10 + 1);
            assertThat(max).as("full jitter reaches near the ceiling").isGreaterThan(ceiling * 9 / 10);
        }
    }

    @Test
    void ceiling_hugeAttempt_cappedWithoutOverflow() {
        ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(1));

        assertThat(backoff.ceilingMs(1000)).isEqualTo(30_000);
        assertThat(backoff.ceilingMs(63)).isEqualTo(30_000);
        assertThat(backoff.ceilingMs(-5)).isEqualTo(500);
    }

    @Test
    void delay_sameSeed_sameSequence() {
        ReconnectBackoff a = new ReconnectBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(9));
        ReconnectBackoff b = new ReconnectBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(9));
        for (int attempt = 0; attempt < 8; attempt++) {
            assertThat(a.delay(attempt)).isEqualTo(b.delay(attempt));
        }
    }
}
