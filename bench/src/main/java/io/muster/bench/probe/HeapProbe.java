package io.muster.bench.probe;

import io.muster.bench.fleet.Member;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A member's heap in use: as /metrics reports it ({@code jvm_memory_used_bytes{area="heap"}}),
 * optionally right after a full collection triggered with {@code jcmd <pid> GC.run}.
 * Thread-safe.
 */
public final class HeapProbe {

    private final MemberApi api;
    private final String jcmd;

    /** @param javaBinary the java the members run on; its jcmd sits next to it */
    public HeapProbe(MemberApi api, String javaBinary) {
        this.api = api;
        Path sibling = Path.of(javaBinary).resolveSibling("jcmd");
        this.jcmd = Files.isExecutable(sibling) ? sibling.toString() : "jcmd";
    }

    /** Heap in use now, in bytes. */
    public double used(Member member) throws IOException, InterruptedException {
        return api.metrics(member.httpPort()).sum("jvm_memory_used_bytes", Map.of("area", "heap"));
    }

    /** Runs a full GC in the member, then reads the heap in use. */
    public double usedAfterGc(Member member) throws IOException, InterruptedException {
        Process gc = new ProcessBuilder(jcmd, Long.toString(member.process().pid()), "GC.run")
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = gc.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!gc.waitFor(2, TimeUnit.MINUTES) || gc.exitValue() != 0) {
            throw new IOException("jcmd " + member.process().pid() + " GC.run failed: " + out.strip());
        }
        return used(member);
    }
}
