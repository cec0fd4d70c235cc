package io.muster.controller.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.store.HostRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which changes WatchHosts reports when a host's record differs from what the watcher saw. */
class HostWatchChangesTest {

    private static HostRecord host(String state, String lifecycle, Map<String, String> labels, String digest) {
        return new HostRecord("h-1", "node", state, lifecycle, Instant.EPOCH, Instant.EPOCH, "0.1.0", labels, Map.of(), Map.of(), null, digest);
    }

    private static HostWatch.Seen seen(HostRecord record) {
        return HostWatch.Seen.of(record);
    }

    @Test
    void unchangedHost_reportsNothing_evenWhenHeartbeatsMoved() {
        HostRecord before = host("online", "ready", Map.of("role", "web"), "d1");
        HostRecord after = new HostRecord("h-1", "node", "online", "ready", Instant.now(), Instant.EPOCH, "0.1.0",
                Map.of("role", "web"), Map.of("load", 3), Map.of("load.1m", 2.5), null, "d1");
        assertThat(HostWatch.changes(seen(before), after)).isEmpty();
    }

    @Test
    void eachChangedAspect_isOneChange() {
        HostRecord before = host("online", "ready", Map.of("role", "web"), "d1");
        assertThat(HostWatch.changes(seen(before), host("offline", "ready", Map.of("role", "web"), "d1"))).containsExactly("offline");
        assertThat(HostWatch.changes(seen(host("offline", "ready", Map.of(), "d1")), host("online", "ready", Map.of(), "d1")))
                .containsExactly("online");
        assertThat(HostWatch.changes(seen(before), host("online", "draining", Map.of("role", "web"), "d1"))).containsExactly("lifecycle");
        assertThat(HostWatch.changes(seen(before), host("online", "ready", Map.of("role", "db"), "d1"))).containsExactly("labels");
        assertThat(HostWatch.changes(seen(before), host("online", "ready", Map.of("role", "web"), "d2"))).containsExactly("inventory");
        assertThat(HostWatch.changes(seen(before), host("offline", "cordoned", Map.of(), "d2")))
                .containsExactly("offline", "lifecycle", "labels", "inventory");
    }

    @Test
    void hostNewToTheWatch_isOnlineWhenConnected_elseALabelChangeBroughtItIn() {
        assertThat(HostWatch.changes(null, host("online", "ready", Map.of(), "d1"))).containsExactly("online");
        assertThat(HostWatch.changes(null, host("offline", "ready", Map.of("role", "web"), "d1"))).containsExactly("labels");
    }
}
