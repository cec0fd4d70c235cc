package io.muster.installer.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What counts as "online since the install": the controller keeps showing a host online with the
 * old session's last-seen time until that session's disconnect is written, so only a last-seen
 * at or after the mark is a new connection.
 */
class HostStatusTest {

    private static final Instant RESTARTED = Instant.parse("2026-12-03T16:00:00Z");

    @Test
    void onlineFromTheOldSession_isNotOnlineSinceTheRestart() {
        assertThat(new FleetApi.HostStatus("online", "ready", RESTARTED.minusMillis(1)).onlineSince(RESTARTED)).isFalse();
    }

    @Test
    void onlineAndSeenAtOrAfterTheRestart_is() {
        assertThat(new FleetApi.HostStatus("online", "ready", RESTARTED).onlineSince(RESTARTED)).isTrue();
        assertThat(new FleetApi.HostStatus("online", "ready", RESTARTED.plusSeconds(2)).onlineSince(RESTARTED)).isTrue();
    }

    @Test
    void offlineAfterTheRestart_orNeverSeen_isNot() {
        assertThat(new FleetApi.HostStatus("offline", "ready", RESTARTED.plusSeconds(2)).onlineSince(RESTARTED)).isFalse();
        assertThat(new FleetApi.HostStatus("online", "ready", null).onlineSince(RESTARTED)).isFalse();
    }
}
