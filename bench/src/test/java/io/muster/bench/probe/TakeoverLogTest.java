package io.muster.bench.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TakeoverLogTest {

    private static final List<String> LOG = List.of(
            "06:45:13.100 INFO  [hz.event-1] i.m.c.cluster.Ownership - member m-old left the cluster; seen at epochMillis=1000",
            "06:45:13.200 INFO  [hz.event-2] i.m.c.cluster.Ownership - partitions of member m-old re-owned; at epochMillis=1100 (100 ms after its departure was seen)",
            "06:45:13.856 INFO  [hz.event-6] i.m.c.cluster.Ownership - member m-2 left the cluster; seen at epochMillis=1795934713856",
            "06:45:14.314 INFO  [hz.event-9] i.m.c.cluster.Ownership - partitions of member m-2 re-owned; at epochMillis=1795934714314 (458 ms after its departure was seen)",
            "06:45:20.000 INFO  [hz.event-9] i.m.c.cluster.Ownership - partitions of member m-2 re-owned; at epochMillis=1795934720000 (later round)");

    @Test
    void readsTheFirstDepartureAndTakeoverOfTheNamedMember() {
        TakeoverLog log = TakeoverLog.parse(LOG, "m-2");

        assertThat(log.seenLeftAt()).hasValue(1795934713856L);
        assertThat(log.reownedAt()).hasValue(1795934714314L);
    }

    @Test
    void aMemberThatLoggedNothingAboutTheDepartureReadsAsEmpty() {
        TakeoverLog log = TakeoverLog.parse(LOG, "m-9");

        assertThat(log.seenLeftAt()).isEmpty();
        assertThat(log.reownedAt()).isEmpty();
    }

    @Test
    void aMissingLogFileReadsAsNothingLogged(@TempDir Path dir) throws IOException {
        assertThat(TakeoverLog.read(dir.resolve("absent.log"), "m-2").seenLeftAt()).isEmpty();
        Path file = dir.resolve("member-0.log");
        Files.write(file, LOG);
        assertThat(TakeoverLog.read(file, "m-old").reownedAt()).hasValue(1100L);
    }
}
