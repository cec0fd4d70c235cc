package io.muster.agent.simulation;

import io.muster.agent.inventory.Facts;
import io.muster.agent.inventory.InventoryDigest;
import io.muster.proto.v1.Cpu;
import io.muster.proto.v1.Disk;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.v1.Hardware;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.Memory;
import io.muster.proto.v1.Nic;
import io.muster.proto.v1.OperatingSystem;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Plausible inventories for simulated hosts, a pure function of (seed, index): the same pair gives
 * the same inventory (and digest) in every JVM, so a simulated agent can regenerate its inventory
 * instead of keeping it in memory. Hostnames look like {@code web-ldn1-0042}; datacenter and role
 * are facts {@code dc} and {@code role} (selectors look in labels, then facts).
 */
public final class GeneratedInventory {

    static final String[] DATACENTERS = {"ldn1", "nyc2", "sfo3", "fra1"};
    static final String[] ROLES = {"web", "db", "cache", "batch", "api"};
    private static final int[] CORES = {4, 8, 16, 24, 32, 48, 64, 96, 128};
    private static final String[][] OSES = {
        {"Debian GNU/Linux", "11", "bullseye", "5.10.0-28-amd64"},
        {"Debian GNU/Linux", "12", "bookworm", "6.1.0-18-amd64"},
        {"Ubuntu", "22.04", "jammy", "5.15.0-101-generic"},
        {"Ubuntu", "24.04", "noble", "6.8.0-31-generic"},
        {"Rocky Linux", "9", "Blue Onyx", "5.14.0-362.24.1.el9_3.x86_64"},
    };
    private static final String[][] MACHINES = {
        {"Dell Inc.", "PowerEdge R650", "GenuineIntel", "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "2000000000"},
        {"HPE", "ProLiant DL380 Gen10 Plus", "GenuineIntel", "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz", "2400000000"},
        {"Supermicro", "AS-1124US-TNRP", "AuthenticAMD", "AMD EPYC 7543 32-Core Processor", "2800000000"},
        {"QEMU", "Standard PC (Q35 + ICH9, 2009)", "AuthenticAMD", "AMD EPYC-Milan Processor", "0"},
    };

    private GeneratedInventory() {
    }

    /** Every role a simulated host may have (its {@code role} fact). */
    public static java.util.List<String> roles() {
        return java.util.List.of(ROLES);
    }

    /** Role of host {@code index} (deterministic). */
    public static String role(long seed, int index) {
        return ROLES[Math.floorMod(mix(seed, index) >>> 7, ROLES.length)];
    }

    /** Datacenter of host {@code index} (deterministic). */
    public static String datacenter(long seed, int index) {
        return DATACENTERS[Math.floorMod(mix(seed, index) >>> 17, DATACENTERS.length)];
    }

    /** Hostname of host {@code index}, e.g. {@code web-ldn1-0042}. */
    public static String hostname(long seed, int index) {
        return role(seed, index) + "-" + datacenter(seed, index) + "-" + String.format(Locale.ROOT, "%04d", index);
    }

    /** The inventory of simulated host {@code index}, digest set. */
    public static Inventory generate(long seed, int index, String agentVersion) {
        Random random = new Random(mix(seed, index));
        String[] machine = MACHINES[random.nextInt(MACHINES.length)];
        boolean virtual = machine[0].equals("QEMU");
        int cores = CORES[random.nextInt(CORES.length)];
        int sockets = cores >= 48 && !virtual ? 2 : 1;
        int threads = virtual ? cores : cores * 2;
        long memory = (long) cores * (random.nextBoolean() ? 4L : 8L) << 30;
        String[] os = OSES[random.nextInt(OSES.length)];

        Inventory.Builder inventory = Inventory.newBuilder()
                .setCpu(Cpu.newBuilder().setModel(machine[3]).setVendor(machine[2]).setSockets(sockets)
                        .setCores(cores).setThreads(threads).setMaxFrequencyHz(Long.parseLong(machine[4])))
                .setMemory(Memory.newBuilder().setTotalBytes(memory).setSwapTotalBytes(random.nextBoolean() ? 0 : 4L << 30))
                .setOs(OperatingSystem.newBuilder().setFamily(os[0]).setVersion(os[1]).setCodename(os[2]).setKernel(os[3])
                        .setBootTimeEpochSeconds(1_700_000_000L + random.nextInt(30_000_000)).setArch("amd64"))
                .setHardware(Hardware.newBuilder().setVendor(machine[0]).setModel(machine[1])
                        .setSerial(virtual ? "" : Long.toString(Math.abs(random.nextLong()) % 10_000_000_000L, 36).toUpperCase(Locale.ROOT))
                        .setUuid(new UUID(random.nextLong(), random.nextLong()).toString()))
                .setAgentVersion(agentVersion);
        int disks = 1 + random.nextInt(virtual ? 2 : 4);
        for (int d = 0; d < disks; d++) {
            long size = (virtual ? 100L : 960L) << (30 + random.nextInt(3));
            inventory.addDisks(Disk.newBuilder()
                    .setName(virtual ? "/dev/vd" + (char) ('a' + d) : "/dev/nvme" + d + "n1")
                    .setModel(virtual ? "QEMU HARDDISK" : "SAMSUNG MZQL2960HCJR-00A07")
                    .setSerial(virtual ? "" : "S64F" + Integer.toHexString(random.nextInt()).toUpperCase(Locale.ROOT))
                    .setSizeBytes(size));
            String device = inventory.getDisks(d).getName() + (virtual ? "1" : "p1");
            long used = (long) (size * (0.05 + random.nextDouble() * 0.7)) >> 30 << 30;
            inventory.addFilesystems(Filesystem.newBuilder().setMount(d == 0 ? "/" : "/data" + d)
                    .setType(os[0].startsWith("Rocky") ? "xfs" : "ext4").setDevice(device).setSizeBytes(size).setUsedBytes(used));
        }
        int octet3 = Math.floorMod(index >> 8, 256);
        inventory.addNics(Nic.newBuilder().setName(virtual ? "ens3" : "eno1")
                .setMac(String.format(Locale.ROOT, "02:%02x:%02x:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256),
                        random.nextInt(256), (index >> 8) & 0xff, index & 0xff))
                .addIpv4("10." + (Math.floorMod(seed, 200) + 10) + "." + octet3 + "." + Math.floorMod(index, 256))
                .setSpeedBps(virtual ? 0 : (random.nextBoolean() ? 10_000_000_000L : 25_000_000_000L))
                .setMtu(random.nextInt(4) == 0 ? 9000 : 1500));

        Inventory sections = inventory.build();
        inventory.putAllFacts(Facts.derive(sections, hostname(seed, index), virtual));
        inventory.putFacts("dc", Facts.text(datacenter(seed, index)));
        inventory.putFacts("role", Facts.text(role(seed, index)));
        return InventoryDigest.seal(inventory.build());
    }

    /**
     * {@code before} with {@code change} applied to its sections (a new kernel, more memory...),
     * its derived facts computed again as a real agent would after reading the host, the simulated
     * {@code dc} and {@code role} facts kept, and the digest sealed again.
     */
    static Inventory changed(Inventory before, String hostname, UnaryOperator<Inventory.Builder> change) {
        Inventory sections = change.apply(before.toBuilder().clearFacts().clearDigest()).build();
        Fact virtual = before.getFactsMap().get("hw.virtual");
        Inventory.Builder after = sections.toBuilder()
                .putAllFacts(Facts.derive(sections, hostname, virtual == null ? null : virtual.getFlag()));
        for (String simulated : new String[] {"dc", "role"}) {
            Fact fact = before.getFactsMap().get(simulated);
            if (fact != null) {
                after.putFacts(simulated, fact);
            }
        }
        return InventoryDigest.seal(after.build());
    }

    private static long mix(long seed, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
