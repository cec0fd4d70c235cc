package io.muster.cli.install;

import io.muster.cli.api.Table;
import io.muster.installer.push.HostResult;
import io.muster.installer.push.Progress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.Console;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code muster install}/{@code uninstall} show: while running, one line on stderr per
 * finished host and a live status line (done / failed / in flight, and what the hosts in flight
 * are doing) that rewrites itself on a terminal; at the end a table of every host (or JSON with
 * {@code -o json}) on stdout. Progress methods are called from worker threads.
 */
final class FleetReport implements Progress {

    private final String verb;
    private final PrintWriter err;
    private final boolean terminal;
    private final int total;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Map<String, String> inFlight = new ConcurrentSkipListMap<>();

    FleetReport(String verb, PrintWriter err, boolean terminal, int total) {
        this.verb = verb;
        this.err = err;
        this.terminal = terminal;
        this.total = total;
    }

    @Override
    public void started(String host) {
        inFlight.put(host, "start");
        status();
    }

    @Override
    public void step(String host, String step) {
        inFlight.put(host, step);
        status();
    }

    @Override
    public synchronized void finished(HostResult result) {
        inFlight.remove(result.host());
        done.incrementAndGet();
        if (result.outcome().failed()) {
            failed.incrementAndGet();
        }
        clearLine();
        err.println(String.format(Locale.ROOT, "%s %s: %s (%.1f s) %s", verb, result.host(), result.outcome().label(),
                result.took().toMillis() / 1000.0, result.detail()));
        err.flush();
        status();
    }

    private synchronized void status() {
        if (!terminal) {
            return;
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: %d/%d done, %d failed, %d in flight", verb,
                done.get(), total, failed.get(), inFlight.size()));
        int shown = 0;
        for (Map.Entry<String, String> host : inFlight.entrySet()) {
            if (shown++ == 3) {
                line.append(" ...");
                break;
            }
            line.append(shown == 1 ? " (" : ", ").append(host.getKey()).append(": ").append(host.getValue());
        }
        if (shown > 0 && shown <= 3) {
            line.append(')');
        }
        err.print("\r\033[K" + line);
        err.flush();
    }

    private void clearLine() {
        if (terminal) {
            err.print("\r\033[K");
        }
    }

    /**
     * Whether stderr is a terminal worth a live status line. Before JDK 22 {@code System.console()}
     * exists only then; JDK 22 to 24 return a console with the output redirected too (their line
     * editor console is the default), and {@code Console.isTerminal()} (22+, looked up reflectively:
     * the baseline is 17) tells.
     */
    static boolean terminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The final table or JSON on {@code out}, and a summary line on stderr. */
    synchronized void summary(List<HostResult> results, boolean json, PrintWriter out) {
        clearLine();
        if (json) {
            JsonArray array = new JsonArray();
            for (HostResult result : results) {
                array.add(new JsonObject().put("host", result.host()).put("result", result.outcome().label())
                        .put("hostId", result.hostId()).put("seconds", result.took().toMillis() / 1000.0)
                        .put("detail", result.detail()));
            }
            out.println(array.encodePrettily());
        } else {
            Table table = new Table("HOST", "RESULT", "HOST ID", "SECONDS", "DETAIL");
            for (HostResult result : results) {
                table.row(result.host(), result.outcome().label(), result.hostId(),
                        String.format(Locale.ROOT, "%.1f", result.took().toMillis() / 1000.0), result.detail());
            }
            table.print(out);
        }
        out.flush();
        long failures = results.stream().filter(result -> result.outcome().failed()).count();
        err.println(verb + ": " + (results.size() - failures) + " of " + results.size() + " hosts ok"
                + (failures > 0 ? ", " + failures + " failed" : ""));
        err.flush();
    }
}
