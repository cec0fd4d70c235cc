package io.muster.agent.inventory;

import io.muster.proto.v1.Cpu;
import io.muster.proto.v1.Disk;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.v1.Hardware;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.Memory;
import io.muster.proto.v1.Nic;
import io.muster.proto.v1.OperatingSystem;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.ComputerSystem;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;

/**
 * Reads the host's inventory with OSHI.
 *
 * <p>The first {@link #refresh()} pays OSHI's start-up (JNA, udev); later ones take a few tens of
 * milliseconds. Filesystem usage is quantised against the previous snapshot: the used figure only
 * changes in the inventory when it moved by at least 1 % of the filesystem's size or 1 GiB,
 * whichever is smaller, so that ordinary disk churn does not change the digest (current usage rides
 * on heartbeats).
 *
 * <p>Thread-safe: {@link #refresh()} is serialised; {@link #current()} returns the latest snapshot
 * and collects one on first use.
 */
public final class InventoryCollector implements InventorySource {

    private static final Logger LOG = LoggerFactory.getLogger(InventoryCollector.class);
    static final long GIB = 1L << 30;
    /** Kernel and container pseudo filesystems that say nothing about the host's storage. */
    private static final Set<String> PSEUDO_FS = Set.of("tmpfs", "devtmpfs", "squashfs", "overlay", "proc", "sysfs",
            "cgroup", "cgroup2", "devpts", "mqueue", "autofs", "efivarfs", "ramfs", "nsfs", "tracefs", "debugfs");

    private final SystemInfo system;
    private final HardwareAbstractionLayer hardware;
    private final String agentVersion;
    private final LocalFacts local;
    private volatile Inventory latest;
    private Boolean virtual;

    public InventoryCollector(String agentVersion) {
        this(agentVersion, new LocalFacts(null));
    }

    /** @param local the facts the host's tooling declares, read again with every refresh */
    public InventoryCollector(String agentVersion, LocalFacts local) {
        this.system = new SystemInfo();
        this.hardware = system.getHardware();
        this.agentVersion = agentVersion;
        this.local = local;
    }

    /** The underlying OSHI system, shared with {@link HostVitals} so that OSHI is initialised once. */
    public SystemInfo system() {
        return system;
    }

    /** The hardware UUID from firmware, or "" when unreadable (used to derive the host id). */
    public String hardwareUuid() {
        try {
            return hardware.getComputerSystem().getHardwareUUID();
        } catch (RuntimeException e) {
            return "";
        }
    }

    @Override
    public Inventory current() {
        Inventory snapshot = latest;
        return snapshot != null ? snapshot : refresh();
    }

    /** Reads the host again and returns the new snapshot (which is also {@link #current()} afterwards). */
    public synchronized Inventory refresh() {
        Inventory previous = latest;
        Inventory.Builder inventory = Inventory.newBuilder()
                .setCpu(cpu())
                .setMemory(Memory.newBuilder()
                        .setTotalBytes(hardware.getMemory().getTotal())
                        .setSwapTotalBytes(hardware.getMemory().getVirtualMemory().getSwapTotal()))
                .addAllDisks(disks())
                .addAllFilesystems(quantise(filesystems(), previous))
                .addAllNics(nics())
                .setOs(os())
                .setHardware(hardwareIdentity())
                .setAgentVersion(agentVersion);
        if (virtual == null) {
            virtual = isVirtual();
        }
        inventory.putAllFacts(Facts.derive(inventory.build(), hostname(), virtual));
        inventory.putAllFacts(local.read());
        Inventory sealed = InventoryDigest.seal(inventory.build());
        latest = sealed;
        return sealed;
    }

    private Cpu cpu() {
        CentralProcessor cpu = hardware.getProcessor();
        return Cpu.newBuilder()
                .setModel(nonNull(cpu.getProcessorIdentifier().getName()).trim())
                .setVendor(nonNull(cpu.getProcessorIdentifier().getVendor()).trim())
                .setSockets(cpu.getPhysicalPackageCount())
                .setCores(cpu.getPhysicalProcessorCount())
                .setThreads(cpu.getLogicalProcessorCount())
                .setMaxFrequencyHz(Math.max(0, cpu.getMaxFreq()))
                .build();
    }

    private List<Disk> disks() {
        return hardware.getDiskStores().stream()
                .map(d -> Disk.newBuilder()
                        .setName(nonNull(d.getName()))
                        .setModel(nonNull(d.getModel()).trim())
                        .setSerial(nonNull(d.getSerial()).trim())
                        .setSizeBytes(Math.max(0, d.getSize()))
                        .build())
                .sorted(Comparator.comparing(Disk::getName))
                .toList();
    }

    private List<Filesystem> filesystems() {
        return system.getOperatingSystem().getFileSystem().getFileStores(true).stream()
                .filter(fs -> !PSEUDO_FS.contains(nonNull(fs.getType()).toLowerCase(Locale.ROOT)))
                .filter(fs -> fs.getTotalSpace() > 0)
                .map(InventoryCollector::filesystem)
                .sorted(Comparator.comparing(Filesystem::getMount).thenComparing(Filesystem::getDevice))
                .distinct()
                .toList();
    }

    private static Filesystem filesystem(OSFileStore fs) {
        return Filesystem.newBuilder()
                .setMount(nonNull(fs.getMount()))
                .setType(nonNull(fs.getType()))
                .setDevice(nonNull(fs.getVolume()).isEmpty() ? nonNull(fs.getName()) : fs.getVolume())
                .setSizeBytes(fs.getTotalSpace())
                .setUsedBytes(Math.max(0, fs.getTotalSpace() - fs.getFreeSpace()))
                .build();
    }

    /**
     * Keeps the previous used figure of a filesystem unless usage moved by at least
     * min(1 % of size, 1 GiB): usage churn must not make the digest change every minute.
     */
    static List<Filesystem> quantise(List<Filesystem> current, Inventory previous) {
        if (previous == null) {
            return current;
        }
        Map<String, Filesystem> before = new HashMap<>();
        for (Filesystem fs : previous.getFilesystemsList()) {
            before.put(fs.getMount() + '\0' + fs.getDevice(), fs);
        }
        return current.stream().map(fs -> {
            Filesystem old = before.get(fs.getMount() + '\0' + fs.getDevice());
            if (old == null || old.getSizeBytes() != fs.getSizeBytes()) {
                return fs;
            }
            long threshold = Math.min(fs.getSizeBytes() / 100, GIB);
            return Math.abs(fs.getUsedBytes() - old.getUsedBytes()) < threshold
                    ? fs.toBuilder().setUsedBytes(old.getUsedBytes()).build()
                    : fs;
        }).toList();
    }

    private List<Nic> nics() {
        return hardware.getNetworkIFs(false).stream()
                .map(InventoryCollector::nic)
                .sorted(Comparator.comparing(Nic::getName))
                .toList();
    }

    private static Nic nic(NetworkIF nif) {
        return Nic.newBuilder()
                .setName(nonNull(nif.getName()))
                .setMac(nonNull(nif.getMacaddr()).toLowerCase(Locale.ROOT))
                .addAllIpv4(Arrays.stream(nif.getIPv4addr()).sorted().toList())
                .addAllIpv6(Arrays.stream(nif.getIPv6addr()).map(InventoryCollector::withoutZone).sorted().toList())
                .setSpeedBps(Math.max(0, nif.getSpeed()))
                .setMtu((int) Math.max(0, Math.min(Integer.MAX_VALUE, nif.getMTU())))
                .build();
    }

    private static String withoutZone(String ipv6) {
        int zone = ipv6.indexOf('%');
        return zone < 0 ? ipv6 : ipv6.substring(0, zone);
    }

    private OperatingSystem os() {
        oshi.software.os.OperatingSystem os = system.getOperatingSystem();
        return OperatingSystem.newBuilder()
                .setFamily(nonNull(os.getFamily()))
                .setVersion(nonNull(os.getVersionInfo().getVersion()))
                .setCodename(nonNull(os.getVersionInfo().getCodeName()))
                .setKernel(kernelRelease(os))
                .setBootTimeEpochSeconds(os.getSystemBootTime())
                .setArch(nonNull(System.getProperty("os.arch")))
                .build();
    }

    private static String kernelRelease(oshi.software.os.OperatingSystem os) {
        String build = nonNull(os.getVersionInfo().getBuildNumber());
        return build.isEmpty() ? nonNull(System.getProperty("os.version")) : build;
    }

    private Hardware hardwareIdentity() {
        ComputerSystem cs = hardware.getComputerSystem();
        return Hardware.newBuilder()
                .setVendor(known(cs.getManufacturer()))
                .setModel(known(cs.getModel()))
                .setSerial(known(cs.getSerialNumber()))
                .setUuid(known(cs.getHardwareUUID()).toLowerCase(Locale.ROOT))
                .build();
    }

    private Boolean isVirtual() {
        try {
            Optional<String> hypervisor = hardware.getVirtualization();
            return hypervisor.isPresent();
        } catch (RuntimeException e) {
            LOG.debug("cannot tell whether the host is virtual", e);
            return null;
        }
    }

    private String hostname() {
        String name = nonNull(system.getOperatingSystem().getNetworkParams().getHostName());
        if (!name.isBlank()) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "";
        }
    }

    /** OSHI reports "unknown" where firmware says nothing; we say nothing too. */
    private static String known(String value) {
        String v = nonNull(value).trim();
        return v.equalsIgnoreCase("unknown") ? "" : v;
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
