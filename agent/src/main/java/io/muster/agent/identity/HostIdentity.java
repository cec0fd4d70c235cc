package io.muster.agent.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Who this host is: a host id that never changes for the life of the data directory, and the id of
 * the current boot.
 *
 * <p>The host id is read from {@code <data-dir>/host-id}. The first time it is derived from
 * {@code /etc/machine-id} (or the firmware's hardware UUID when there is no machine id, or a random
 * UUID as a last resort), formatted as a lower-case UUID, and written there atomically so that it
 * survives reinstalls of the OS image that reset the machine id.
 *
 * <p>Immutable and thread-safe.
 *
 * @param hostId    stable host id, UUID-like
 * @param bootId    id of the current boot, empty when the platform has none
 * @param machineId the machine id as read at start (not the one the host id came from), empty
 *                  when there is none; told to the controller so it can tell a clone apart
 */
public record HostIdentity(String hostId, String bootId, String machineId) {

    public static final Path MACHINE_ID = Path.of("/etc/machine-id");
    public static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    static final String HOST_ID_FILE = "host-id";

    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");

    public HostIdentity {
        Objects.requireNonNull(hostId, "hostId");
        bootId = bootId == null ? "" : bootId;
        machineId = machineId == null ? "" : machineId;
    }

    /** An identity without a machine id (simulated hosts, tests). */
    public HostIdentity(String hostId, String bootId) {
        this(hostId, bootId, "");
    }

    /**
     * Loads (or creates on first use) the identity of this host.
     *
     * @param dataDir       the agent's data directory; created when missing
     * @param machineIdFile normally {@link #MACHINE_ID}
     * @param hardwareUuid  supplies the firmware UUID when the machine id is missing or unusable;
     *                      may return null or blank
     * @param bootIdFile    normally {@link #BOOT_ID}
     */
    public static HostIdentity load(Path dataDir, Path machineIdFile, Supplier<String> hardwareUuid, Path bootIdFile) {
        return new HostIdentity(hostId(dataDir, machineIdFile, hardwareUuid), readBootId(bootIdFile),
                readQuietly(machineIdFile).toLowerCase(Locale.ROOT));
    }

    /** The persisted host id, or a newly derived one written to {@code <dataDir>/host-id}. */
    public static String hostId(Path dataDir, Path machineIdFile, Supplier<String> hardwareUuid) {
        Path file = dataDir.resolve(HOST_ID_FILE);
        try {
            if (Files.isRegularFile(file)) {
                String existing = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!existing.isEmpty()) {
                    return existing;
                }
            }
            String derived = derive(machineIdFile, hardwareUuid);
            // The data dir holds the journal of run output and the agent's key: its user's alone.
            Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = dataDir.resolve(HOST_ID_FILE + ".tmp");
            Files.writeString(tmp, derived + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return derived;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the host id in " + dataDir, e);
        }
    }

    /** Id of the current boot, or "" when the file cannot be read (non-Linux hosts). */
    public static String readBootId(Path bootIdFile) {
        try {
            return Files.readString(bootIdFile == null ? BOOT_ID : bootIdFile, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    static String derive(Path machineIdFile, Supplier<String> hardwareUuid) {
        String machineId = readQuietly(machineIdFile).toLowerCase(Locale.ROOT);
        if (HEX32.matcher(machineId).matches() && !machineId.chars().allMatch(c -> c == '0')) {
            return asUuid(machineId);
        }
        String uuid = hardwareUuid == null ? null : hardwareUuid.get();
        if (uuid != null) {
            String hex = uuid.trim().toLowerCase(Locale.ROOT).replace("-", "");
            // Firmware often reports placeholders such as all zeros or all Fs: those are not unique.
            if (HEX32.matcher(hex).matches() && !hex.chars().allMatch(c -> c == '0') && !hex.chars().allMatch(c -> c == 'f')) {
                return asUuid(hex);
            }
        }
        return UUID.randomUUID().toString();
    }

    private static String asUuid(String hex) {
        return hex.substring(0, 8) + '-' + hex.substring(8, 12) + '-' + hex.substring(12, 16) + '-'
                + hex.substring(16, 20) + '-' + hex.substring(20, 32);
    }

    private static String readQuietly(Path file) {
        try {
            return file == null ? "" : Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
