package io.muster.agent.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.agent.simulation.GeneratedInventory;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.inventory.InventoryDeltas;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.InventoryDelta;
import io.muster.proto.v1.Memory;
import org.junit.jupiter.api.Test;

class InventoryDiffTest {

    private final Inventory base = GeneratedInventory.generate(42, 7, "test");

    @Test
    void diff_memoryResized_onlyMemoryAndItsFactsInDelta() {
        Inventory.Builder changed = base.toBuilder().setMemory(Memory.newBuilder().setTotalBytes(base.getMemory().getTotalBytes() * 2));
        changed.putFacts("mem.total_bytes", Facts.integer(base.getMemory().getTotalBytes() * 2));
        Inventory next = InventoryDigest.seal(changed.build());

        InventoryDelta delta = InventoryDiff.diff(base, next);

        assertThat(delta.hasMemory()).isTrue();
        assertThat(delta.hasCpu()).isFalse();
        assertThat(delta.hasDisks()).isFalse();
        assertThat(delta.hasFilesystems()).isFalse();
        assertThat(delta.getSetFactsMap()).containsOnlyKeys("mem.total_bytes");
        assertThat(delta.getBaseDigest()).isEqualTo(base.getDigest());
        assertThat(delta.getDigest()).isEqualTo(next.getDigest()).isNotEqualTo(base.getDigest());
        assertThat(InventoryDeltas.apply(base, delta)).isEqualTo(next);
    }

    @Test
    void diff_filesystemMountedAndFactRemoved_roundTrips() {
        Inventory.Builder changed = base.toBuilder()
                .addFilesystems(Filesystem.newBuilder().setMount("/data").setType("xfs").setDevice("/dev/sdb1").setSizeBytes(1L << 40))
                .removeFacts("hw.model");
        Inventory next = InventoryDigest.seal(changed.build());

        InventoryDelta delta = InventoryDiff.diff(base, next);

        assertThat(delta.hasFilesystems()).isTrue();
        assertThat(delta.getFilesystems().getItemsCount()).isEqualTo(next.getFilesystemsCount());
        assertThat(delta.getRemovedFactsList()).containsExactly("hw.model");
        assertThat(InventoryDeltas.apply(base, delta)).isEqualTo(next);
        assertThat(InventoryDigest.of(InventoryDeltas.apply(base, delta))).isEqualTo(next.getDigest());
    }

    @Test
    void diff_identical_isEmpty() {
        assertThat(InventoryDiff.isEmpty(InventoryDiff.diff(base, base))).isTrue();
    }
}
