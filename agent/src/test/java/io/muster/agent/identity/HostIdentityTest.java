package io.muster.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentityTest {

    @TempDir
    Path dir;

    @Test
    void hostId_firstUse_derivedFromMachineIdAndPersisted() throws Exception {
        Path machineId = Files.writeString(dir.resolve("machine-id"), "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
        Path data = dir.resolve("data");

        String id = HostIdentity.hostId(data, machineId, () -> null);

        assertThat(id).isEqualTo("3d1219c7-c4c5-404a-aa1f-6d2a48adfda4");
        assertThat(Files.readString(data.resolve("host-id")).trim()).isEqualTo(id);
    }

    @Test
    void hostId_machineIdChangesLater_persistedIdIsKept() throws Exception {
        Path machineId = Files.writeString(dir.resolve("machine-id"), "3d1219c7c4c5404aaa1f6d2a48adfda4");
        Path data = dir.resolve("data");
        String first = HostIdentity.hostId(data, machineId, () -> null);

        Files.writeString(machineId, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        String second = HostIdentity.hostId(data, machineId, () -> null);

        assertThat(second).isEqualTo(first);
    }

    @Test
    void hostId_noMachineId_usesHardwareUuid() {
        String id = HostIdentity.hostId(dir.resolve("data"), dir.resolve("missing"), () -> "4C4C4544-0042-3510-8051-B4C04F4E3132");

        assertThat(id).isEqualTo("4c4c4544-0042-3510-8051-b4c04f4e3132");
    }

    @Test
    void hostId_placeholderHardwareUuid_fallsBackToRandomUuidThatIsThenStable() {
        Path data = dir.resolve("data");
        String id = HostIdentity.hostId(data, dir.resolve("missing"), () -> "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF");

        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").isNotEqualTo("ffffffff-ffff-ffff-ffff-ffffffffffff");
        assertThat(HostIdentity.hostId(data, dir.resolve("missing"), () -> null)).isEqualTo(id);
    }

    @Test
    void bootId_readFromConfiguredFile_changesWhenFileChanges() throws Exception {
        Path boot = Files.writeString(dir.resolve("boot_id"), "boot-1\n");
        assertThat(HostIdentity.load(dir.resolve("d"), dir.resolve("none"), () -> null, boot).bootId()).isEqualTo("boot-1");

        Files.writeString(boot, "boot-2\n");
        assertThat(HostIdentity.load(dir.resolve("d"), dir.resolve("none"), () -> null, boot).bootId()).isEqualTo("boot-2");
        assertThat(HostIdentity.readBootId(dir.resolve("nope"))).isEmpty();
    }
}
