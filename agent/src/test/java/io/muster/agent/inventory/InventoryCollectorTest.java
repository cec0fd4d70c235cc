package io.muster.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.v1.Inventory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InventoryCollectorTest {

    static InventoryCollector collector;
    static Inventory first;

    @BeforeAll
    static void collectOnce() {
        collector = new InventoryCollector("test-1.0");
        first = collector.current();
    }

    @Test
    void facts_ofThisMachine_areSane() {
        Map<String, Fact> facts = first.getFactsMap();

        assertThat(facts.get("cpu.logical").getInteger()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(facts.get("cpu.cores").getInteger()).isBetween(1L, (long) Runtime.getRuntime().availableProcessors());
        assertThat(facts.get("mem.total_bytes").getInteger()).isGreaterThan(Runtime.getRuntime().maxMemory() / 4);
        assertThat(facts.get("os.family").getText()).isNotBlank();
        assertThat(facts.get("kernel.release").getText()).isNotBlank();
        assertThat(facts.get("hostname").getText()).isNotBlank();
        assertThat(facts.get("fs.count").getInteger()).isEqualTo(first.getFilesystemsCount());
        assertThat(facts.get("agent.version").getText()).isEqualTo("test-1.0");
        assertThat(first.getCpu().getThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(first.getOs().getBootTimeEpochSeconds()).isPositive();
        assertThat(first.getDigest()).hasSize(64).isEqualTo(InventoryDigest.of(first));
    }

    @Test
    void digest_twoCollections_isStable() {
        Inventory again = collector.refresh();

        assertThat(again.getDigest()).isEqualTo(first.getDigest());
        assertThat(again).isEqualTo(first);
    }

    @Test
    void quantise_smallUsageChange_keepsPreviousFigure_largeChangeShows() {
        long size = 100L << 30;
        Filesystem before = Filesystem.newBuilder().setMount("/").setDevice("/dev/sda1").setSizeBytes(size).setUsedBytes(10L << 30).build();
        Inventory previous = Inventory.newBuilder().addFilesystems(before).build();

        List<Filesystem> small = InventoryCollector.quantise(
                List.of(before.toBuilder().setUsedBytes((10L << 30) + (500L << 20)).build()), previous);
        List<Filesystem> large = InventoryCollector.quantise(
                List.of(before.toBuilder().setUsedBytes(12L << 30).build()), previous);

        assertThat(small.get(0).getUsedBytes()).isEqualTo(10L << 30);
        assertThat(large.get(0).getUsedBytes()).isEqualTo(12L << 30);
    }
}
