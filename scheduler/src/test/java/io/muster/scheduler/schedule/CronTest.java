package io.muster.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CronTest {

    private static final Instant CREATED = Instant.parse("2026-01-01T10:00:12.345Z");

    @Test
    void everyMinute_ticksFromTheAnchorOncePerMinute() {
        Cron cron = Cron.parse("@every 1m", ZoneOffset.UTC, CREATED);
        assertThat(cron.next(CREATED, 3)).containsExactly(Instant.parse("2026-01-01T10:01:12Z"),
                Instant.parse("2026-01-01T10:02:12Z"), Instant.parse("2026-01-01T10:03:12Z"));
        assertThat(cron.latestAtOrBefore(Instant.parse("2026-01-01T10:05:11Z"))).contains(Instant.parse("2026-01-01T10:04:12Z"));
        assertThat(cron.latestAtOrBefore(Instant.parse("2026-01-01T10:01:00Z"))).isEmpty();
    }

    @Test
    void everyMinute_firesEachTickOnce_overFiveMinutes() {
        Cron cron = Cron.parse("@every 1m", ZoneOffset.UTC, CREATED);
        Instant last = CREATED;
        int fired = 0;
        for (Instant now = CREATED; now.isBefore(CREATED.plusSeconds(300)); now = now.plusMillis(700)) {
            var due = Firing.due(cron, last, now, Firing.CatchUp.NONE);
            if (due.isPresent()) {
                assertThat(due.get()).isAfter(last);
                last = due.get();
                fired++;
            }
        }
        assertThat(fired).isEqualTo(4); // ticks at +1..+4 min; +5 min is the end of the span
    }

    @Test
    void fiveFieldCron_inATimeZone() {
        Cron cron = Cron.parse("*/30 * * * *", ZoneId.of("Europe/London"), CREATED);
        assertThat(cron.nextAfter(CREATED)).contains(Instant.parse("2026-01-01T10:30:00Z"));
        assertThat(cron.latestAtOrBefore(Instant.parse("2026-01-01T10:30:00Z"))).contains(Instant.parse("2026-01-01T10:30:00Z"));
        assertThat(cron.latestAtOrBefore(Instant.parse("2026-01-01T10:29:59Z"))).contains(Instant.parse("2026-01-01T10:00:00Z"));
    }

    @Test
    void catchUp_noneMissesOldTicks_lastFiresTheLatestOnly() {
        Cron cron = Cron.parse("@every 1m", ZoneOffset.UTC, CREATED);
        Instant late = Instant.parse("2026-01-01T10:05:50Z");
        assertThat(Firing.due(cron, CREATED, late, Firing.CatchUp.NONE)).isEmpty();
        assertThat(Firing.due(cron, CREATED, late, Firing.CatchUp.LAST)).contains(Instant.parse("2026-01-01T10:05:12Z"));
    }

    @Test
    void ticksMissedWithinTheGrace_allFireInOrder_onceEach() {
        Cron cron = Cron.parse("@every 5s", ZoneOffset.UTC, CREATED);
        // The owner died after the tick of 10:00:17; a survivor looks at 10:00:39 (ticks 22, 27, 32, 37 missed).
        Instant last = Instant.parse("2026-01-01T10:00:17Z");
        Instant now = Instant.parse("2026-01-01T10:00:39Z");
        java.util.List<Instant> fired = new java.util.ArrayList<>();
        for (var due = Firing.due(cron, last, now, Firing.CatchUp.NONE); due.isPresent();
             due = Firing.due(cron, last, now, Firing.CatchUp.NONE)) {
            fired.add(due.get());
            last = due.get();
        }
        assertThat(fired).containsExactly(Instant.parse("2026-01-01T10:00:22Z"), Instant.parse("2026-01-01T10:00:27Z"),
                Instant.parse("2026-01-01T10:00:32Z"), Instant.parse("2026-01-01T10:00:37Z"));
        // Older than the grace: 10:00:17 is dropped, the ticks of the last 30 s fire.
        assertThat(Firing.due(cron, CREATED, Instant.parse("2026-01-01T10:00:50Z"), Firing.CatchUp.NONE))
                .contains(Instant.parse("2026-01-01T10:00:22Z"));
    }

    @Test
    void badExpressions_sayWhatIsWrong() {
        assertThatThrownBy(() -> Cron.parse("* * *", ZoneOffset.UTC, CREATED)).hasMessageContaining("5 fields");
        assertThatThrownBy(() -> Cron.parse("61 * * * *", ZoneOffset.UTC, CREATED)).hasMessageContaining("not a valid cron");
        assertThatThrownBy(() -> Cron.parse("@every 0s", ZoneOffset.UTC, CREATED)).hasMessageContaining("at least one second");
        assertThatThrownBy(() -> Cron.parse("@sometimes", ZoneOffset.UTC, CREATED)).hasMessageContaining("not supported");
    }
}
