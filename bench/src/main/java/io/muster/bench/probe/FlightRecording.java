package io.muster.bench.probe;

import io.muster.bench.fleet.Member;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JDK Flight Recorder profile of the members over one phase, started and stopped with
 * {@code jcmd <pid> JFR.start/JFR.stop} (so the members run without it otherwise), and its summary:
 * where the execution samples fall, by top frame and by the first Muster frame on the stack.
 * Used by the bench's main thread only.
 */
public final class FlightRecording {

    private static final String NAME = "muster-bench";
    private static final int TOP = 25;

    private final String jcmd;
    private final Path dir;
    private final List<Member> members;

    private FlightRecording(String jcmd, Path dir, List<Member> members) {
        this.jcmd = jcmd;
        this.dir = dir;
        this.members = List.copyOf(members);
    }

    /**
     * Starts a recording (the JDK's "profile" settings: a sample every 10-20 ms) in every member,
     * with the jcmd of the JDK this process runs on (the members run on the same one).
     */
    public static FlightRecording start(Path dir, List<Member> members) throws IOException, InterruptedException {
        Path sibling = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        FlightRecording recording = new FlightRecording(Files.isExecutable(sibling) ? sibling.toString() : "jcmd", dir,
                members);
        Files.createDirectories(dir);
        for (Member member : members) {
            recording.jcmd(member, "JFR.start", "name=" + NAME, "settings=profile",
                    "filename=" + recording.file(member));
        }
        return recording;
    }

    /** Stops the recordings (each member writes its file) and summarises them as markdown. */
    public String stopAndSummarise() throws IOException, InterruptedException {
        Map<String, Long> topFrames = new HashMap<>();
        Map<String, Long> musterFrames = new HashMap<>();
        long samples = 0;
        for (Member member : members) {
            if (!member.process().isAlive()) {
                continue;
            }
            jcmd(member, "JFR.stop", "name=" + NAME);
            for (RecordedEvent event : RecordingFile.readAllEvents(file(member))) {
                if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                    continue;
                }
                samples++;
                RecordedStackTrace stack = event.getStackTrace();
                List<RecordedFrame> frames = stack.getFrames();
                if (!frames.isEmpty()) {
                    topFrames.merge(describe(frames.get(0)), 1L, Long::sum);
                }
                String muster = frames.stream().filter(f -> f.getMethod().getType().getName().startsWith("io.muster."))
                        .findFirst().map(FlightRecording::describe).orElse("(no Muster frame: Netty, gRPC, Hazelcast, JVM)");
                musterFrames.merge(muster, 1L, Long::sum);
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("# Members' CPU profile (JFR execution samples, settings=profile)\n\n")
                .append(String.format(Locale.ROOT, "%,d samples over %d members; files: %s/member-*.jfr "
                        + "(open with `jfr print --events jdk.ExecutionSample` or JDK Mission Control)%n%n",
                        samples, members.size(), dir.getFileName()));
        table(out, "Top frames (where the CPU is spent)", topFrames, samples);
        table(out, "First Muster frame on the stack (which of our code paths leads there)", musterFrames, samples);
        return out.toString();
    }

    private static void table(StringBuilder out, String title, Map<String, Long> counts, long samples) {
        out.append("## ").append(title).append("\n\n| samples | share | frame |\n|---:|---:|---|\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(TOP)
                .forEach(e -> out.append(String.format(Locale.ROOT, "| %,d | %.1f %% | `%s` |%n", e.getValue(),
                        samples == 0 ? 0 : 100.0 * e.getValue() / samples, e.getKey())));
        out.append('\n');
    }

    private static String describe(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private Path file(Member member) {
        return dir.resolve(member.name() + ".jfr").toAbsolutePath();
    }

    private void jcmd(Member member, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        line.add(jcmd);
        line.add(Long.toString(member.process().pid()));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", line) + " failed: " + out.strip());
        }
    }
}
