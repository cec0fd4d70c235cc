package io.muster.controller.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreBreakerTest {

    private final ManualClock clock = new ManualClock();
    private final StoreBreaker breaker = new StoreBreaker(clock);

    @Test
    void closed_admitsEveryHello() {
        for (int i = 0; i < 100; i++) {
            assertThat(breaker.refuseForMs()).isZero();
        }
        assertThat(breaker.succeeded()).as("it was not open").isFalse();
    }

    @Test
    void aFailedWrite_refusesHellosForTheFirstWindow_thenOneProbeAtATime() {
        assertThat(breaker.failed()).as("the first failure opens it").isTrue();
        assertThat(breaker.refuseForMs()).isEqualTo(StoreBreaker.FIRST_OPEN_MS);
        clock.advance(Duration.ofMillis(400));
        assertThat(breaker.refuseForMs()).isEqualTo(StoreBreaker.FIRST_OPEN_MS - 400);

        clock.advance(Duration.ofMillis(600));
        assertThat(breaker.refuseForMs()).as("half open: the probe").isZero();
        assertThat(breaker.refuseForMs()).as("the others wait for the probe").isPositive();
        assertThat(breaker.refuseForMs()).isPositive();
    }

    @Test
    void failedProbes_doubleTheWindow_upToTheCap() {
        breaker.failed();
        long window = StoreBreaker.FIRST_OPEN_MS;
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofMillis(window));
            assertThat(breaker.refuseForMs()).as("probe %d", i).isZero();
            assertThat(breaker.failed()).as("a failed probe does not re-open it, it lengthens it").isFalse();
            window = Math.min(window * 2, StoreBreaker.MAX_OPEN_MS);
            assertThat(breaker.refuseForMs()).isEqualTo(window);
        }
        assertThat(window).isEqualTo(StoreBreaker.MAX_OPEN_MS);
    }

    @Test
    void failuresOfWritesAdmittedBeforeTheBreakerOpened_doNotLengthenTheWindow() {
        breaker.failed();
        // A batch of 500 connects written together fails together.
        for (int i = 0; i < 499; i++) {
            assertThat(breaker.failed()).isFalse();
        }
        assertThat(breaker.refuseForMs()).isEqualTo(StoreBreaker.FIRST_OPEN_MS);
        clock.advance(Duration.ofMillis(StoreBreaker.FIRST_OPEN_MS));
        // Window over, no probe out yet: a late failure of an earlier write is not the probe's.
        breaker.failed();
        assertThat(breaker.refuseForMs()).as("still half open: this Hello is the probe").isZero();
    }

    @Test
    void aWrittenConnect_closesTheBreaker() {
        breaker.failed();
        clock.advance(Duration.ofMillis(StoreBreaker.FIRST_OPEN_MS));
        assertThat(breaker.refuseForMs()).isZero();
        assertThat(breaker.succeeded()).as("it was open: this write closed it").isTrue();
        assertThat(breaker.refuseForMs()).isZero();
        assertThat(breaker.refuseForMs()).isZero();
        assertThat(breaker.failed()).as("a new outage opens it again from the first window").isTrue();
        assertThat(breaker.refuseForMs()).isEqualTo(StoreBreaker.FIRST_OPEN_MS);
    }
}
