package io.muster.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ControllerClockTest {

    private static final Instant HOST_NOW = Instant.parse("2026-12-03T12:00:00Z");

    private final ControllerClock clock = new ControllerClock(Clock.fixed(HOST_NOW, ZoneOffset.UTC));

    @Test
    void hostAnHourBehind_correctedToTheController() {
        clock.learn(HOST_NOW.plusSeconds(3600).toEpochMilli());

        assertThat(clock.instant()).isEqualTo(HOST_NOW.plusSeconds(3600));
        assertThat(clock.offsetMs()).isEqualTo(3_600_000);
    }

    @Test
    void differenceBelowASecond_isLatency_leftAlone() {
        clock.learn(HOST_NOW.plusMillis(999).toEpochMilli());

        assertThat(clock.instant()).isEqualTo(HOST_NOW);
        clock.learn(0);
        assertThat(clock.offsetMs()).isZero();
    }

    @Test
    void withZone_sameCorrectedInstants_followsLaterCorrections() {
        ZoneId london = ZoneId.of("Europe/London");
        Clock zoned = clock.withZone(london);
        clock.learn(HOST_NOW.minusSeconds(120).toEpochMilli());

        assertThat(zoned.getZone()).isEqualTo(london);
        assertThat(zoned.instant()).isEqualTo(HOST_NOW.minusSeconds(120));
        assertThat(zoned.withZone(ZoneOffset.UTC)).isSameAs(clock);
    }
}
