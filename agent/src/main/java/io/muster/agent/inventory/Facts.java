package io.muster.agent.inventory;

import io.muster.proto.v1.Disk;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Filesystem;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.Nic;
import java.util.Map;
import java.util.TreeMap;

/**
 * The flat fact map that selectors read ({@code cpu.cores>=32}, {@code os.family=...}), derived
 * from an inventory's sections so that real and generated inventories name facts the same way.
 * Pure functions.
 */
public final class Facts {

    private Facts() {
    }

    public static Fact text(String value) {
        return Fact.newBuilder().setText(value).build();
    }

    public static Fact integer(long value) {
        return Fact.newBuilder().setInteger(value).build();
    }

    public static Fact flag(boolean value) {
        return Fact.newBuilder().setFlag(value).build();
    }

    /**
     * Facts for the sections of {@code inventory}.
     *
     * @param hostname host name, omitted when blank
     * @param virtual  true/false when known, null when the platform cannot tell
     */
    public static Map<String, Fact> derive(Inventory inventory, String hostname, Boolean virtual) {
        Map<String, Fact> facts = new TreeMap<>();
        putText(facts, "hostname", hostname);
        putText(facts, "cpu.model", inventory.getCpu().getModel());
        putText(facts, "cpu.vendor", inventory.getCpu().getVendor());
        facts.put("cpu.sockets", integer(inventory.getCpu().getSockets()));
        facts.put("cpu.cores", integer(inventory.getCpu().getCores()));
        facts.put("cpu.logical", integer(inventory.getCpu().getThreads()));
        if (inventory.getCpu().getMaxFrequencyHz() > 0) {
            facts.put("cpu.max_frequency_hz", integer(inventory.getCpu().getMaxFrequencyHz()));
        }
        facts.put("mem.total_bytes", integer(inventory.getMemory().getTotalBytes()));
        facts.put("mem.swap_total_bytes", integer(inventory.getMemory().getSwapTotalBytes()));
        putText(facts, "os.family", inventory.getOs().getFamily());
        putText(facts, "os.version", inventory.getOs().getVersion());
        putText(facts, "os.codename", inventory.getOs().getCodename());
        putText(facts, "os.arch", inventory.getOs().getArch());
        putText(facts, "kernel.release", inventory.getOs().getKernel());
        putText(facts, "hw.vendor", inventory.getHardware().getVendor());
        putText(facts, "hw.model", inventory.getHardware().getModel());
        if (virtual != null) {
            facts.put("hw.virtual", flag(virtual));
        }
        String primary = primaryIp(inventory);
        putText(facts, "net.primary_ip", primary);
        putText(facts, "net.ip", primary);
        facts.put("net.count", integer(inventory.getNicsCount()));
        facts.put("disk.count", integer(inventory.getDisksCount()));
        facts.put("disk.total_bytes", integer(inventory.getDisksList().stream().mapToLong(Disk::getSizeBytes).sum()));
        facts.put("fs.count", integer(inventory.getFilesystemsCount()));
        facts.put("fs.total_bytes", integer(inventory.getFilesystemsList().stream().mapToLong(Filesystem::getSizeBytes).sum()));
        putText(facts, "agent.version", inventory.getAgentVersion());
        return facts;
    }

    /** First routable IPv4 address (NICs in name order), else the first IPv6 one, else "". */
    static String primaryIp(Inventory inventory) {
        for (Nic nic : inventory.getNicsList()) {
            for (String ip : nic.getIpv4List()) {
                if (!ip.startsWith("127.") && !ip.startsWith("169.254.")) {
                    return ip;
                }
            }
        }
        for (Nic nic : inventory.getNicsList()) {
            for (String ip : nic.getIpv6List()) {
                if (!ip.equals("::1") && !ip.toLowerCase().startsWith("fe80")) {
                    return ip;
                }
            }
        }
        return "";
    }

    private static void putText(Map<String, Fact> facts, String name, String value) {
        if (value != null && !value.isBlank()) {
            facts.put(name, text(value));
        }
    }
}
