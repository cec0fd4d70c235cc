package io.muster.proto.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.proto.v1.Cpu;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.v1.FilesystemList;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.InventoryDelta;
import io.muster.proto.v1.Memory;
import org.junit.jupiter.api.Test;

class InventoryDeltasTest {

    private final Inventory base = Inventory.newBuilder()
            .setDigest("d1")
            .setAgentVersion("0.1.0")
            .setCpu(Cpu.newBuilder().setModel("Xeon Gold 6338").setSockets(2).setCores(32).setThreads(64))
            .setMemory(Memory.newBuilder().setTotalBytes(256L << 30))
            .addFilesystems(Filesystem.newBuilder().setMount("/").setType("ext4").setSizeBytes(1L << 40))
            .putFacts("hostname", text("web-1"))
            .putFacts("cpu.cores", integer(32))
            .build();

    private static Fact text(String value) {
        return Fact.newBuilder().setText(value).build();
    }

    private static Fact integer(long value) {
        return Fact.newBuilder().setInteger(value).build();
    }

    @Test
    void presentSectionsReplaceAndAbsentSectionsStay() {
        InventoryDelta delta = InventoryDelta.newBuilder()
                .setBaseDigest("d1").setDigest("d2")
                .setMemory(Memory.newBuilder().setTotalBytes(512L << 30))
                .setFilesystems(FilesystemList.newBuilder()
                        .addItems(Filesystem.newBuilder().setMount("/").setType("ext4"))
                        .addItems(Filesystem.newBuilder().setMount("/data").setType("xfs")))
                .build();

        Inventory next = InventoryDeltas.apply(base, delta);

        assertThat(next.getDigest()).isEqualTo("d2");
        assertThat(next.getMemory().getTotalBytes()).isEqualTo(512L << 30);
        assertThat(next.getFilesystemsList()).extracting(Filesystem::getMount).containsExactly("/", "/data");
        assertThat(next.getCpu()).isEqualTo(base.getCpu());
        assertThat(next.getDisksList()).isEqualTo(base.getDisksList());
        assertThat(next.getOs()).isEqualTo(base.getOs());
        assertThat(next.getAgentVersion()).isEqualTo("0.1.0");
    }

    @Test
    void anEmptyListSectionClearsIt() {
        InventoryDelta delta = InventoryDelta.newBuilder().setBaseDigest("d1").setDigest("d2")
                .setFilesystems(FilesystemList.getDefaultInstance()).build();

        assertThat(InventoryDeltas.apply(base, delta).getFilesystemsList()).isEmpty();
    }

    @Test
    void factsAreSetAndRemoved() {
        InventoryDelta delta = InventoryDelta.newBuilder().setBaseDigest("d1").setDigest("d2")
                .putSetFacts("cpu.cores", integer(64))
                .putSetFacts("gpu", text("a100"))
                .addRemovedFacts("virtual")
                .addRemovedFacts("not-there")
                .setAgentVersion("0.2.0")
                .setCpu(Cpu.newBuilder().setCores(64))
                .build();

        Inventory next = InventoryDeltas.apply(base, delta);

        assertThat(next.getFactsMap()).containsEntry("cpu.cores", integer(64))
                .containsEntry("gpu", text("a100"))
                .containsKey("hostname")
                .doesNotContainKey("virtual");
        assertThat(next.getAgentVersion()).isEqualTo("0.2.0");
        assertThat(next.getCpu().getCores()).isEqualTo(64);
        assertThat(next.getCpu().getModel()).isEmpty();
    }
}
