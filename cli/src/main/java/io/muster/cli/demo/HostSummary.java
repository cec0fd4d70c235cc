package io.muster.cli.demo;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.muster.proto.v1.Cpu;
import io.muster.proto.v1.Disk;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.Nic;
import io.muster.proto.v1.OperatingSystem;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One screen about one host, from the controller's {@code GET /api/v1/hosts/{id}} answer: what
 * the controller stored, not what this process could read locally. Pure.
 */
final class HostSummary {

    /** Beyond this many filesystems the list is cut (containers and snaps mount dozens). */
    static final int MAX_FILESYSTEMS = 6;
    static final int MAX_DISKS = 6;
    private static final String INDENT = "  ";
    private static final String LABEL = "%-12s";

    private HostSummary() {
    }

    static List<String> lines(JsonObject host) {
        Inventory inventory = inventory(host);
        List<String> lines = new ArrayList<>();
        lines.add("This host as the controller sees it:");
        add(lines, "id", host.getString("id"));
        String connected = host.getString("connectedTo");
        add(lines, "hostname", host.getString("hostname") + "  (" + host.getString("state")
                + ", agent " + host.getString("agentVersion")
                + (connected == null ? "" : ", connected to " + connected) + ")");
        add(lines, "OS", os(inventory.getOs()));
        add(lines, "CPU", cpu(inventory.getCpu()));
        add(lines, "memory", Sizes.bytes(inventory.getMemory().getTotalBytes())
                + ", swap " + Sizes.bytes(inventory.getMemory().getSwapTotalBytes()));
        if (!inventory.getHardware().getVendor().isEmpty() || !inventory.getHardware().getModel().isEmpty()) {
            add(lines, "hardware", (inventory.getHardware().getVendor() + " " + inventory.getHardware().getModel()).strip());
        }
        addList(lines, "disks", disks(inventory.getDisksList()));
        addList(lines, "filesystems", filesystems(inventory.getFilesystemsList()));
        addList(lines, "addresses", addresses(inventory.getNicsList()));
        return lines;
    }

    private static Inventory inventory(JsonObject host) {
        JsonObject json = host.getJsonObject("inventory");
        Inventory.Builder builder = Inventory.newBuilder();
        if (json != null) {
            try {
                JsonFormat.parser().ignoringUnknownFields().merge(json.encode(), builder);
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("the controller's inventory of this host is not readable: " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    private static String os(OperatingSystem os) {
        StringBuilder text = new StringBuilder(os.getFamily());
        if (!os.getVersion().isEmpty()) {
            text.append(' ').append(os.getVersion());
        }
        if (!os.getCodename().isEmpty()) {
            text.append(" (").append(os.getCodename()).append(')');
        }
        text.append(", kernel ").append(os.getKernel());
        if (!os.getArch().isEmpty()) {
            text.append(", ").append(os.getArch());
        }
        return text.toString();
    }

    private static String cpu(Cpu cpu) {
        return cpu.getModel().strip() + ": " + plural(cpu.getSockets(), "socket") + ", "
                + plural(cpu.getCores(), "core") + ", " + plural(cpu.getThreads(), "thread");
    }

    private static List<String> disks(List<Disk> disks) {
        // Zero-sized block devices (zram, empty card readers) hold nothing worth a line.
        List<Disk> real = disks.stream().filter(d -> d.getSizeBytes() > 0).sorted(Comparator.comparing(Disk::getName)).toList();
        List<String> lines = real.stream()
                .limit(MAX_DISKS)
                .map(d -> String.format(Locale.ROOT, "%-12s %-24s %s", d.getName(), d.getModel().strip(), Sizes.bytes(d.getSizeBytes())).stripTrailing())
                .collect(Collectors.toCollection(ArrayList::new));
        more(lines, real.size() - MAX_DISKS);
        return lines;
    }

    private static List<String> filesystems(List<Filesystem> filesystems) {
        List<Filesystem> real = filesystems.stream().filter(f -> f.getSizeBytes() > 0)
                .sorted(Comparator.comparing(Filesystem::getMount)).toList();
        List<String> lines = real.stream().limit(MAX_FILESYSTEMS)
                .map(f -> String.format(Locale.ROOT, "%-20s %-8s %10s, %3d%% used", f.getMount(), f.getType(),
                        Sizes.bytes(f.getSizeBytes()), Math.round(100.0 * f.getUsedBytes() / f.getSizeBytes())))
                .collect(Collectors.toCollection(ArrayList::new));
        more(lines, real.size() - MAX_FILESYSTEMS);
        return lines;
    }

    private static List<String> addresses(List<Nic> nics) {
        return nics.stream()
                .filter(n -> !n.getName().equals("lo") && n.getIpv4Count() + n.getIpv6Count() > 0)
                .sorted(Comparator.comparing(Nic::getName))
                .map(n -> String.format(Locale.ROOT, "%-12s %s", n.getName(),
                        Stream.concat(n.getIpv4List().stream(), n.getIpv6List().stream()).collect(Collectors.joining(" "))))
                .toList();
    }

    private static void more(List<String> lines, int hidden) {
        if (hidden > 0) {
            lines.add("(" + hidden + " more)");
        }
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    private static void add(List<String> lines, String label, String value) {
        lines.add(INDENT + String.format(Locale.ROOT, LABEL, label) + value);
    }

    private static void addList(List<String> lines, String label, List<String> values) {
        if (values.isEmpty()) {
            add(lines, label, "none reported");
            return;
        }
        add(lines, label, values.get(0));
        for (String value : values.subList(1, values.size())) {
            add(lines, "", value);
        }
    }
}
