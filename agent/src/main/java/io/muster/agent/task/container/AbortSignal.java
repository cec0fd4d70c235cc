package io.muster.agent.task.container;

import java.io.Closeable;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Stops the I/O of one run: connections and downloads register here, and {@link #abort} closes
 * them all, which makes the thread blocked on them fail at once.
 *
 * <p>Thread-safe: {@link #abort} is called from the thread that delivers a cancel or from the
 * deadline timer while the run's worker thread is blocked in a read. The first reason wins;
 * anything registered after the abort is closed immediately.
 */
public final class AbortSignal {

    /** Why the run's I/O was stopped. */
    public enum Reason { CANCELLED, TIMED_OUT }

    /** A signal that never fires, for calls that are not part of a run. */
    public static final AbortSignal NEVER = new AbortSignal();

    private final Set<Closeable> open = new HashSet<>();
    private Reason reason;

    /** Returns the reason once aborted, else null. */
    public synchronized Reason reason() {
        return reason;
    }

    public boolean aborted() {
        return reason() != null;
    }

    /** Closes everything registered; later registrations are closed at once. */
    public void abort(Reason why) {
        Set<Closeable> toClose;
        synchronized (this) {
            if (reason != null || this == NEVER) {
                return;
            }
            reason = why;
            toClose = new HashSet<>(open);
            open.clear();
        }
        toClose.forEach(AbortSignal::closeQuietly);
    }

    /**
     * Registers a resource to close on abort. Returns a handle that unregisters it; when the signal
     * has already fired the resource is closed before this returns.
     */
    public Registration register(Closeable resource) {
        if (this == NEVER) {
            return () -> { };
        }
        synchronized (this) {
            if (reason == null) {
                open.add(resource);
                return () -> {
                    synchronized (AbortSignal.this) {
                        open.remove(resource);
                    }
                };
            }
        }
        closeQuietly(resource);
        return () -> { };
    }

    /** Removes a registration; closing the resource stays the owner's job. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private static void closeQuietly(Closeable resource) {
        try {
            resource.close();
        } catch (IOException | RuntimeException e) {
            // Aborting is best effort: the blocked reader fails either way once the channel is gone.
        }
    }
}
