package io.muster.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.muster.proto.v1.Cpu;
import io.muster.proto.v1.Disk;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.Memory;
import io.muster.proto.v1.Nic;
import io.muster.proto.v1.OperatingSystem;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostSummaryTest {

    private static final long GIB = 1L << 30;

    static Inventory.Builder inventory() {
        return Inventory.newBuilder()
                .setCpu(Cpu.newBuilder().setModel("AMD EPYC 7B13").setSockets(1).setCores(2).setThreads(4))
                .setMemory(Memory.newBuilder().setTotalBytes(24 * GIB).setSwapTotalBytes(0))
                .setOs(OperatingSystem.newBuilder().setFamily("Debian GNU/Linux").setVersion("12")
                        .setCodename("bookworm").setKernel("6.1.0-18-amd64").setArch("amd64"))
                .addDisks(Disk.newBuilder().setName("/dev/sda").setModel("PersistentDisk").setSizeBytes(100 * GIB))
                .addDisks(Disk.newBuilder().setName("/dev/zram0").setSizeBytes(0))
                .addFilesystems(Filesystem.newBuilder().setMount("/").setType("ext4").setSizeBytes(100 * GIB).setUsedBytes(25 * GIB))
                .addNics(Nic.newBuilder().setName("lo").addIpv4("127.0.0.1"))
                .addNics(Nic.newBuilder().setName("eth0").addIpv4("10.0.0.7").addIpv6("fe80::1"))
                .addNics(Nic.newBuilder().setName("eth1"));
    }

    /** The host item as the controller's API answers it: the inventory in the proto3 JSON mapping. */
    static JsonObject host(Inventory inventory) throws Exception {
        return new JsonObject()
                .put("id", "6f1c2a4e-0000-4000-8000-000000000001")
                .put("hostname", "build-01")
                .put("state", "online")
                .put("agentVersion", "0.1.0")
                .put("connectedTo", "m-5701")
                .put("inventory", new JsonObject(JsonFormat.printer().print(inventory)));
    }

    @Test
    void lines_showWhatTheControllerStored() throws Exception {
        String text = String.join("\n", HostSummary.lines(host(inventory().build())));

        assertThat(text)
                .contains("build-01  (online, agent 0.1.0, connected to m-5701)")
                .contains("Debian GNU/Linux 12 (bookworm), kernel 6.1.0-18-amd64, amd64")
                .contains("AMD EPYC 7B13: 1 socket, 2 cores, 4 threads")
                .contains("24.0 GiB, swap 0 B")
                .contains("/dev/sda").contains("PersistentDisk").contains("100.0 GiB")
                .contains("ext4").contains(" 25% used")
                .contains("eth0         10.0.0.7 fe80::1");
        assertThat(text).doesNotContain("127.0.0.1").doesNotContain("eth1").doesNotContain("zram0");
    }

    @Test
    void lines_manyFilesystems_areCut() throws Exception {
        Inventory.Builder inventory = inventory().clearFilesystems();
        for (int i = 0; i < HostSummary.MAX_FILESYSTEMS + 4; i++) {
            inventory.addFilesystems(Filesystem.newBuilder().setMount("/var/lib/containers/" + i).setType("overlay").setSizeBytes(GIB));
        }
        inventory.addFilesystems(Filesystem.newBuilder().setMount("/proc").setType("proc").setSizeBytes(0));

        List<String> lines = HostSummary.lines(host(inventory.build()));

        assertThat(lines.stream().filter(l -> l.contains("overlay"))).hasSize(HostSummary.MAX_FILESYSTEMS);
        assertThat(lines).anyMatch(l -> l.contains("(4 more)"));
        assertThat(lines).noneMatch(l -> l.contains("/proc"));
    }

    @Test
    void lines_withoutInventory_sayNothingReported() throws Exception {
        JsonObject host = host(Inventory.getDefaultInstance());
        host.remove("inventory");

        assertThat(HostSummary.lines(host)).anyMatch(l -> l.contains("disks") && l.contains("none reported"));
    }
}
