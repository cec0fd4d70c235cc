package io.muster.bench.probe;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine a bench ran on: cores, memory, CPU model, kernel, JDK, JVM flags, load. */
public final class Machine {

    private Machine() {
    }

    /**
     * @param childFlags the extra JVM flags given to members and simulators
     */
    public static JsonObject describe(List<String> memberFlags, List<String> simulatorFlags) {
        JsonObject machine = new JsonObject()
                .put("cores", Runtime.getRuntime().availableProcessors())
                .put("memoryBytes", memTotal())
                .put("cpuModel", cpuModel())
                .put("kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"))
                .put("benchJvmFlags", new JsonArray(ManagementFactory.getRuntimeMXBean().getInputArguments()))
                .put("memberJvmFlags", new JsonArray(memberFlags))
                .put("simulatorJvmFlags", new JsonArray(simulatorFlags))
                .put("openFilesLimitNote", "20,000 per process on the reference machine; simulated agents share channels");
        machine.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return machine;
    }

    private static long memTotal() {
        return procLine("/proc/meminfo", "MemTotal:")
                .map(v -> Long.parseLong(v.replace("kB", "").strip()) * 1024)
                .orElse(-1L);
    }

    private static String cpuModel() {
        return procLine("/proc/cpuinfo", "model name").map(v -> v.replaceFirst("^\\s*:\\s*", "")).orElse("unknown");
    }

    private static java.util.Optional<String> procLine(String file, String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                if (line.startsWith(prefix)) {
                    return java.util.Optional.of(line.substring(prefix.length()).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }
}
