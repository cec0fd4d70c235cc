package io.muster.bench.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command run under GNU {@code /usr/bin/time -v}: its wall time and peak resident set size as
 * the kernel accounted them. Runs on the caller's thread.
 */
final class TimedProcess {

    /** Wall time and peak RSS of one run. */
    record Usage(double wallSeconds, long peakRssBytes, int exitCode) {
    }

    private TimedProcess() {
    }

    static Usage run(List<String> command, Path log) throws IOException, InterruptedException {
        return run(new ProcessBuilder(command), log);
    }

    /** Runs {@code builder}'s command (with its environment) under {@code /usr/bin/time -v}. */
    static Usage run(ProcessBuilder builder, Path log) throws IOException, InterruptedException {
        List<String> command = List.copyOf(builder.command());
        List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-v"));
        timed.addAll(command);
        Process process = builder.command(timed).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 5 min; see " + log);
        }
        return parse(Files.readString(log, StandardCharsets.UTF_8), process.exitValue());
    }

    /** Reads GNU time's "Elapsed (wall clock) time" (h:mm:ss or m:ss.ss) and "Maximum resident set size (kbytes)". */
    static Usage parse(String output, int exitCode) throws IOException {
        Double wall = null;
        Long rss = null;
        for (String raw : output.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("Elapsed (wall clock) time")) {
                String value = line.substring(line.lastIndexOf(' ') + 1);
                String[] parts = value.split(":");
                double seconds = 0;
                for (String part : parts) {
                    seconds = seconds * 60 + Double.parseDouble(part);
                }
                wall = seconds;
            } else if (line.startsWith("Maximum resident set size (kbytes)")) {
                rss = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)) * 1024;
            }
        }
        if (wall == null || rss == null) {
            throw new IOException("no wall time or peak RSS in the output of /usr/bin/time -v");
        }
        return new Usage(wall, rss, exitCode);
    }
}
