package io.muster.bench.probe;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * CPU time a process has used so far, from {@code /proc/<pid>/stat} (user + system time of all its
 * threads). Linux only. Thread-safe.
 */
public final class ProcessCpu {

    /** Kernel clock ticks per second ({@code getconf CLK_TCK}); 100 on every common Linux. */
    private static final long TICKS_PER_SECOND = ticksPerSecond();

    private ProcessCpu() {
    }

    /** Seconds of CPU the process used since it started; empty when it is gone. */
    public static OptionalDouble seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(fields[11]);
            long stime = Long.parseLong(fields[12]);
            return OptionalDouble.of((double) (utime + stime) / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            // Gone (no such file) or exiting (a partial line): no reading.
            return OptionalDouble.empty();
        }
    }

    private static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            try (InputStream in = getconf.getInputStream()) {
                String out = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
                getconf.waitFor(5, TimeUnit.SECONDS);
                return Long.parseLong(out);
            }
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
