package io.muster.controller.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectPacerTest {

    @Test
    void refusalsInAStorm_getConsecutiveSlotsAtTheInitialRate() {
        ConnectPacer pacer = new ConnectPacer(new ManualClock());
        // 500/s: 2 ms apart.
        assertThat(pacer.retryAfterMs()).isEqualTo(2);
        assertThat(pacer.retryAfterMs()).isEqualTo(4);
        assertThat(pacer.retryAfterMs()).isEqualTo(6);
    }

    @Test
    void theSpacingFollowsTheMeasuredConnectRate() {
        ManualClock clock = new ManualClock();
        ConnectPacer pacer = new ConnectPacer(clock);
        // 100 connects completed in a second, three seconds running: the estimate falls toward 100/s.
        for (int second = 0; second < 3; second++) {
            for (int i = 0; i < 100; i++) {
                pacer.completed();
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(pacer.rate()).isBetween(100.0, 160.0);
        long first = pacer.retryAfterMs();
        long second = pacer.retryAfterMs();
        assertThat(second - first).isBetween(6L, 10L);
    }

    @Test
    void slotsNeverLieBeyondTheCap() {
        ConnectPacer pacer = new ConnectPacer(new ManualClock());
        long last = 0;
        for (int i = 0; i < 20_000; i++) {
            last = Math.max(last, pacer.retryAfterMs());
        }
        assertThat(last).isLessThanOrEqualTo(ConnectPacer.MAX_RETRY_AFTER_MS);
    }
}
