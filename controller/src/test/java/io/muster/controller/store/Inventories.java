package io.muster.controller.store;

import io.muster.proto.v1.Cpu;
import io.muster.proto.v1.Disk;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.Memory;
import io.muster.proto.v1.OperatingSystem;

/** Valid inventories for tests; tweak them with toBuilder(). */
public final class Inventories {

    private Inventories() {
    }

    public static Inventory sample(String hostname, String digest) {
        return Inventory.newBuilder()
                .setDigest(digest)
                .setAgentVersion("0.1.0")
                .setCpu(Cpu.newBuilder().setModel("Xeon Gold 6338").setVendor("GenuineIntel").setSockets(2).setCores(32).setThreads(64))
                .setMemory(Memory.newBuilder().setTotalBytes(256L << 30))
                .addDisks(Disk.newBuilder().setName("/dev/sda").setModel("PM9A3").setSerial("S1").setSizeBytes(1_920_000_000_000L))
                .addFilesystems(Filesystem.newBuilder().setMount("/").setType("ext4").setDevice("/dev/sda1").setSizeBytes(1L << 40))
                .setOs(OperatingSystem.newBuilder().setFamily("Debian GNU/Linux").setVersion("12").setKernel("6.1.0-18-amd64"))
                .putFacts("hostname", text(hostname))
                .putFacts("os.family", text("Debian GNU/Linux"))
                .putFacts("cpu.cores", integer(32))
                .putFacts("mem.total_bytes", integer(256L << 30))
                .putFacts("cpu.ghz", Fact.newBuilder().setReal(2.0).build())
                .putFacts("virtual", Fact.newBuilder().setFlag(false).build())
                .build();
    }

    public static Fact text(String value) {
        return Fact.newBuilder().setText(value).build();
    }

    public static Fact integer(long value) {
        return Fact.newBuilder().setInteger(value).build();
    }
}
