package io.muster.cli.launch;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * The one reason a long-running subcommand stops: Ctrl-C, SIGTERM, its parent process gone, or a
 * time limit. The first {@link #stop} wins; the main thread waits in {@link #await()} and then
 * closes what it started, so a signal ends in a clean stop and exit code 0.
 *
 * <p>SIGINT and SIGTERM are taken over through {@code sun.misc.Signal} rather than a shutdown
 * hook: in a hook the JVM is already exiting (exit code 130/143, other hooks such as Hazelcast's
 * running at the same time), while here the close runs in order on the main thread. A second
 * signal while stopping halts the process at once, for a user who will not wait.
 *
 * <p>Thread-safe: any thread may call {@link #stop}.
 */
public final class StopSignal {

    private final CompletableFuture<String> reason = new CompletableFuture<>();
    private final AtomicInteger signals = new AtomicInteger();

    private StopSignal() {
    }

    /** A stop signal that only {@link #stop} triggers (tests, embedding). */
    public static StopSignal manual() {
        return new StopSignal();
    }

    /** A stop signal also triggered by SIGINT (Ctrl-C) and SIGTERM. */
    public static StopSignal onInterruptOrTerminate() {
        StopSignal stop = new StopSignal();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> stop.onSignal("SIG" + name));
        }
        return stop;
    }

    private void onSignal(String name) {
        if (signals.incrementAndGet() > 1) {
            System.err.println("muster: " + name + " again; stopping at once");
            Runtime.getRuntime().halt(130);
        }
        stop(name);
    }

    /** Asks to stop; later calls keep the first reason. */
    public void stop(String why) {
        reason.complete(why);
    }

    public boolean stopped() {
        return reason.isDone();
    }

    /** Blocks until stopped; returns the reason. */
    public String await() throws InterruptedException {
        try {
            return reason.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Blocks until stopped or {@code timeout} passed; the reason if stopped. */
    public Optional<String> await(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(reason.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Triggers the stop after {@code limit}, with the reason "time limit of X reached". */
    public void limit(Duration limit, String description) {
        CompletableFuture.delayedExecutor(limit.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> stop("time limit of " + description + " reached"));
    }
}
