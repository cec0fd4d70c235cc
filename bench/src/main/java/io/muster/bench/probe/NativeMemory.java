package io.muster.bench.probe;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's own account of its memory: Native Memory Tracking's summary
 * ({@code jcmd <pid> VM.native_memory summary scale=KB}; the JVM must run with
 * {@code -XX:NativeMemoryTracking=summary}). Committed KiB per category (Java Heap, Class:
 * metaspace and class space, Thread: stacks, Code: the code cache, GC, Symbol, Shared class space:
 * the CDS archive, Other: direct buffers, ...), the loaded classes and the threads. Committed is
 * not resident: a committed page that was never touched costs nothing, and RSS also holds what
 * NMT does not track (libjvm's own text, other libraries, jar mappings). Immutable.
 *
 * @param totalCommittedKb the "Total" line's committed KiB
 * @param committedKb      committed KiB per category, in jcmd's order
 * @param classes          loaded classes
 * @param threads          threads
 */
public record NativeMemory(long totalCommittedKb, Map<String, Long> committedKb, long classes, long threads) {

    private static final Pattern TOTAL = Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern CATEGORY = Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern CLASSES = Pattern.compile("^\\s*\\(classes #(\\d+)\\)");
    private static final Pattern THREADS = Pattern.compile("^\\s*\\(threads? #(\\d+)\\)");

    public NativeMemory {
        committedKb = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(committedKb));
    }

    /**
     * Asks the JVM {@code pid} through {@code jcmd}.
     *
     * @throws IOException when jcmd fails (the JVM runs without NMT, is gone, or does not answer)
     */
    public static NativeMemory of(String jcmd, long pid) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(jcmd, Long.toString(pid), "VM.native_memory", "summary", "scale=KB")
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0 || !out.contains("Total:")) {
            process.destroyForcibly();
            throw new IOException("jcmd " + pid + " VM.native_memory summary failed: " + out.strip());
        }
        return parse(out);
    }

    /** jcmd's {@code jcmd} next to {@code javaBinary}, else the one on PATH. */
    public static String jcmdNextTo(String javaBinary) {
        Path sibling = Path.of(javaBinary).resolveSibling("jcmd");
        return Files.isExecutable(sibling) ? sibling.toString() : "jcmd";
    }

    /** Parses the summary's text (scale=KB). */
    static NativeMemory parse(String summary) {
        long total = 0;
        long classes = 0;
        long threads = 0;
        Map<String, Long> committed = new LinkedHashMap<>();
        for (String line : summary.split("\n")) {
            Matcher m = TOTAL.matcher(line);
            if (m.find()) {
                total = Long.parseLong(m.group(2));
                continue;
            }
            m = CATEGORY.matcher(line);
            if (m.find()) {
                committed.put(m.group(1).trim(), Long.parseLong(m.group(3)));
                continue;
            }
            m = CLASSES.matcher(line);
            if (m.find()) {
                classes = Long.parseLong(m.group(1));
                continue;
            }
            m = THREADS.matcher(line);
            if (m.find()) {
                threads = Long.parseLong(m.group(1));
            }
        }
        if (committed.isEmpty()) {
            throw new IllegalArgumentException("no Native Memory Tracking categories in: " + summary.strip());
        }
        return new NativeMemory(total, committed, classes, threads);
    }

    public JsonObject toJson() {
        JsonObject categories = new JsonObject();
        committedKb.forEach(categories::put);
        return new JsonObject().put("totalCommittedKb", totalCommittedKb).put("committedKb", categories)
                .put("classes", classes).put("threads", threads);
    }
}
