package io.muster.cli.tasks;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;

/**
 * The live progress line of {@code muster run}: {@code [#####.....] 5/10 done  ok=4 failed=1 running=3}.
 * On a terminal the line is redrawn in place; elsewhere (a pipe, a log) only a line per change of
 * the finished count is written. Not thread-safe: one command thread draws.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean interactive;
    private long lastDone = -1;
    private boolean drawn;

    ProgressBar(PrintWriter err, boolean interactive) {
        this.err = err;
        this.interactive = interactive;
    }

    /** @param counts the task's run counts by state; total the number of runs */
    void show(JsonObject counts, long total) {
        long ok = counts.getLong("succeeded", 0L);
        long failed = counts.getLong("failed", 0L) + counts.getLong("timed_out", 0L) + counts.getLong("host_lost", 0L);
        long cancelled = counts.getLong("cancelled", 0L);
        long running = counts.getLong("running", 0L);
        long done = ok + failed + cancelled;
        if (!interactive && done == lastDone) {
            return;
        }
        lastDone = done;
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " done  ok=" + ok
                + " failed=" + failed + (cancelled > 0 ? " cancelled=" + cancelled : "") + " running=" + running;
        if (interactive) {
            err.print("\r" + line + "\u001b[K");
        } else {
            err.println(line);
        }
        drawn = true;
        err.flush();
    }

    /** Ends the line drawn in place. */
    void finish() {
        if (interactive && drawn) {
            err.println();
            err.flush();
        }
    }
}
