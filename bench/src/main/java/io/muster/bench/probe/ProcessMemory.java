package io.muster.bench.probe;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The memory of one process as the kernel counts it, from {@code /proc/<pid>/smaps_rollup} and
 * {@code /proc/<pid>/status}. RSS counts every resident page the process maps, shared or not; PSS
 * divides each shared page by the number of processes mapping it, so it depends on what else runs
 * on the machine (two JVMs of the same JDK share libjvm's and the CDS archive's pages). Linux only;
 * immutable.
 *
 * @param pid          the process
 * @param command      its executable (from {@code /proc/<pid>/exe}'s name as {@link ProcessHandle} reports it)
 * @param rssKb        resident set, KiB
 * @param pssKb        proportional set, KiB
 * @param anonymousKb  resident anonymous memory (heap, metaspace, stacks, malloc), KiB
 * @param fileKb       resident file-backed memory (libjvm, the CDS archive, libraries, jars), KiB
 * @param privateKb    resident pages mapped by this process only, KiB
 * @param swapKb       swapped out, KiB
 * @param peakRssKb    the highest RSS the process ever had ({@code VmHWM}), KiB
 * @param threads      threads now
 */
public record ProcessMemory(long pid, String command, long rssKb, long pssKb, long anonymousKb, long fileKb,
                            long privateKb, long swapKb, long peakRssKb, int threads) {

    /** The process's memory now; empty when it is gone (or not readable). */
    public static Optional<ProcessMemory> read(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String rollup = Files.readString(proc.resolve("smaps_rollup"), StandardCharsets.US_ASCII);
            String status = Files.readString(proc.resolve("status"), StandardCharsets.US_ASCII);
            String command = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse("?");
            return Optional.of(parse(pid, command, rollup, status));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses the two files' text. */
    static ProcessMemory parse(long pid, String command, String smapsRollup, String status) {
        Map<String, Long> rollup = kilobytes(smapsRollup);
        Map<String, Long> st = kilobytes(status);
        long rss = rollup.getOrDefault("Rss", 0L);
        long anonymous = rollup.getOrDefault("Anonymous", 0L);
        long shmem = rollup.getOrDefault("Pss_Shmem", 0L);
        long privateKb = rollup.getOrDefault("Private_Clean", 0L) + rollup.getOrDefault("Private_Dirty", 0L);
        return new ProcessMemory(pid, command, rss, rollup.getOrDefault("Pss", 0L), anonymous,
                Math.max(0, rss - anonymous - shmem), privateKb, rollup.getOrDefault("Swap", 0L),
                st.getOrDefault("VmHWM", rss), st.getOrDefault("Threads", 0L).intValue());
    }

    /**
     * Resident KiB per mapped file (and per kind of anonymous mapping: {@code [heap]},
     * {@code [stack]}, {@code [anon]}) from {@code /proc/<pid>/smaps}, largest first.
     */
    public static Map<String, Long> residentByMapping(long pid) {
        try {
            return residentByMapping(Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"),
                    StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    static Map<String, Long> residentByMapping(List<String> smaps) {
        Map<String, Long> byName = new HashMap<>();
        String current = null;
        for (String line : smaps) {
            if (isMappingHeader(line)) {
                String[] fields = line.trim().split("\\s+", 6);
                current = fields.length == 6 ? fields[5].trim() : "[anon]";
            } else if (current != null && line.startsWith("Rss:")) {
                byName.merge(current, value(line), Long::sum);
            }
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        byName.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** A mapping's first line: "start-end perms offset dev inode [path]". */
    private static boolean isMappingHeader(String line) {
        int dash = line.indexOf('-');
        int space = line.indexOf(' ');
        return dash > 0 && space > dash && line.substring(0, dash).chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static Map<String, Long> kilobytes(String text) {
        Map<String, Long> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String rest = line.substring(colon + 1).trim();
            String number = rest.split("\\s+")[0];
            if (!number.isEmpty() && number.chars().allMatch(Character::isDigit)) {
                values.put(line.substring(0, colon).trim(), Long.parseLong(number));
            }
        }
        return values;
    }

    private static long value(String line) {
        String[] fields = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(fields[0]);
    }

    public JsonObject toJson() {
        return new JsonObject().put("pid", pid).put("command", command).put("rssKb", rssKb).put("pssKb", pssKb)
                .put("anonymousKb", anonymousKb).put("fileKb", fileKb).put("privateKb", privateKb)
                .put("swapKb", swapKb).put("peakRssKb", peakRssKb).put("threads", threads);
    }
}
