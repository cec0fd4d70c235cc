package io.muster.controller.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A periodic scan over records this member owns (schedules, rollouts: the owner of a record is
 * the member owning its id's Hazelcast partition). Every {@code interval} it runs one pass, never
 * two at once on this member: a pass still running when the timer fires again is not doubled.
 * Until {@link #start} nothing is owned.
 */
public final class OwnedScan implements AutoCloseable {

    private final Vertx vertx;
    private final Duration interval;
    private final Supplier<Future<?>> pass;
    private volatile Predicate<String> owns = id -> false;
    private long timer = -1;
    private boolean scanning;

    /** {@code pass} reports its own failures; the next pass is the retry. */
    public OwnedScan(Vertx vertx, Duration interval, Supplier<Future<?>> pass) {
        this.vertx = vertx;
        this.interval = interval;
        this.pass = pass;
    }

    /** Starts scanning; {@code owns} says whether this member owns an id now. */
    public synchronized void start(Predicate<String> owns) {
        this.owns = owns;
        if (timer < 0) {
            timer = vertx.setPeriodic(interval.toMillis(), t -> scan());
        }
    }

    /** Whether this member owns the record with this id now. */
    public boolean owns(UUID id) {
        return owns.test(id.toString());
    }

    private void scan() {
        synchronized (this) {
            if (scanning) {
                return;
            }
            scanning = true;
        }
        pass.get().onComplete(ar -> {
            synchronized (this) {
                scanning = false;
            }
        });
    }

    @Override
    public synchronized void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
