package io.muster.bench.probe;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one progress line of a bench run: phase, agents online, runs finished, time in the phase.
 * On a terminal it is rewritten in place every second; otherwise (output to a file) a line is
 * printed every five seconds. Scenarios update it from their thread; a daemon thread prints it.
 * Thread-safe.
 */
public final class Progress implements AutoCloseable {

    private final PrintStream out;
    private final boolean terminal;
    private final ScheduledExecutorService printer;
    private volatile String phase = "starting";
    private volatile long phaseStart = System.nanoTime();
    private volatile long online;
    private volatile long expectedOnline;
    private volatile long runsFinished;
    private volatile long runsTotal;
    private int lastLength;

    public Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        this.printer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "bench-progress");
            thread.setDaemon(true);
            return thread;
        });
        long period = terminal ? 1 : 5;
        printer.scheduleAtFixedRate(this::print, period, period, TimeUnit.SECONDS);
    }

    /** Starts a phase; the run counters are cleared. */
    public void phase(String name) {
        synchronized (this) {
            if (terminal && lastLength > 0) {
                out.println();
                lastLength = 0;
            }
        }
        phase = name;
        phaseStart = System.nanoTime();
        runsFinished = 0;
        runsTotal = 0;
        print();
    }

    public void online(long now, long expected) {
        online = now;
        expectedOnline = expected;
    }

    public void runs(long finished, long total) {
        runsFinished = finished;
        runsTotal = total;
    }

    /** Prints a finished line (a scenario's figure) without disturbing the progress line. */
    public synchronized void note(String line) {
        if (terminal && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            lastLength = 0;
        }
        out.println(line);
        out.flush();
    }

    private synchronized void print() {
        String line = String.format(Locale.ROOT, "[%s %5.1fs] agents online %,d/%,d%s", phase,
                (System.nanoTime() - phaseStart) / 1e9, online, expectedOnline,
                runsTotal > 0 ? String.format(Locale.ROOT, ", runs finished %,d/%,d", runsFinished, runsTotal) : "");
        if (terminal) {
            String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
            out.print("\r" + padded);
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void close() {
        printer.shutdownNow();
        synchronized (this) {
            if (terminal && lastLength > 0) {
                out.println();
                lastLength = 0;
            }
        }
    }
}
