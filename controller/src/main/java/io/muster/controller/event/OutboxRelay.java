package io.muster.controller.event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.controller.cluster.Ownership;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the outbox partitions this member owns to every sink, in order, at least once.
 *
 * <p>Each round reads up to {@code batch} unpublished events per owned partition, hands them to
 * the sinks one after the other, and only then records the partitions' new positions. A member
 * killed between publishing and recording leaves the position behind: the partition's next owner
 * publishes those events again (consumers deduplicate on the event id). A failed sink leaves
 * everything in place and the round is retried with backoff (up to {@value #MAX_BACKOFF_MS} ms).
 * Published events are deleted {@code retention} after they were written.
 *
 * <p>Threading: rounds run on a Vert.x timer, one at a time; {@link #wake()} may be called from
 * any thread. Metrics: counter {@code muster.events.published}.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long MAX_BACKOFF_MS = 10_000;
    static final String OWNER_KEY_PREFIX = "muster-outbox-";
    private static final Duration EXPIRY_EVERY = Duration.ofMinutes(1);

    private final Vertx vertx;
    private final Outbox outbox;
    private final Supplier<List<Integer>> owned;
    private final List<EventSink> sinks;
    private final int batch;
    private final Duration retention;
    private final Clock clock;
    private final Counter published;
    private final long timerId;
    private final Object lock = new Object();
    private boolean running;
    private boolean closed;
    private int failures;
    private long retryAtMillis;
    private long nextExpiryMillis;

    /**
     * Starts polling every {@code interval}.
     *
     * @param owned the outbox partitions this member owns now (asked every round)
     */
    public OutboxRelay(Vertx vertx, Outbox outbox, Supplier<List<Integer>> owned, List<EventSink> sinks,
                       Duration interval, int batch, Duration retention, Clock clock, MeterRegistry registry) {
        this.vertx = vertx;
        this.outbox = outbox;
        this.owned = owned;
        this.sinks = List.copyOf(sinks);
        this.batch = batch;
        this.retention = retention;
        this.clock = clock;
        this.published = Counter.builder("muster.events.published")
                .description("Outbox events handed to every sink by this member")
                .register(registry);
        this.timerId = vertx.setPeriodic(interval.toMillis(), id -> wake());
    }

    /** Starts a round now unless one is running or the relay is backing off after a failure. */
    public void wake() {
        synchronized (lock) {
            if (running || closed || clock.millis() < retryAtMillis) {
                return;
            }
            running = true;
        }
        List<Integer> partitions;
        try {
            partitions = owned.get();
        } catch (RuntimeException e) {
            done(false, e);
            return;
        }
        if (partitions.isEmpty()) {
            done(true, null);
            return;
        }
        round(partitions).onComplete(ar -> done(ar.succeeded(), ar.cause()));
    }

    private Future<Void> round(List<Integer> partitions) {
        return outbox.unpublished(partitions, batch).compose(events -> {
            if (events.isEmpty()) {
                return expireNowAndThen(partitions);
            }
            Future<Void> chain = Future.succeededFuture();
            for (EventSink sink : sinks) {
                chain = chain.compose(x -> sink.publish(events));
            }
            return chain.compose(x -> outbox.published(lastOfEachPartition(events))).map(x -> {
                published.increment(events.size());
                // A full partition means more is waiting: go again without waiting for the timer.
                if (events.size() >= batch) {
                    vertx.runOnContext(v -> wake());
                }
                return null;
            });
        });
    }

    private Future<Void> expireNowAndThen(List<Integer> partitions) {
        long now = clock.millis();
        if (now < nextExpiryMillis) {
            return Future.succeededFuture();
        }
        nextExpiryMillis = now + EXPIRY_EVERY.toMillis();
        return outbox.expire(partitions, clock.instant().minus(retention)).mapEmpty();
    }

    private static List<FleetEvent> lastOfEachPartition(List<FleetEvent> events) {
        Map<Integer, FleetEvent> last = new LinkedHashMap<>();
        for (FleetEvent event : events) {
            last.put(event.partition(), event);
        }
        return new ArrayList<>(last.values());
    }

    private void done(boolean ok, Throwable failure) {
        synchronized (lock) {
            running = false;
            if (ok) {
                failures = 0;
                retryAtMillis = 0;
                return;
            }
            failures++;
            long backoff = Math.min(MAX_BACKOFF_MS, 100L << Math.min(failures, 10));
            retryAtMillis = clock.millis() + backoff;
        }
        LOG.warn("event relay round failed ({} in a row), retrying in a moment: {}", failures,
                failure == null ? "unknown" : failure.toString());
    }

    /** The outbox partitions whose Hazelcast partition (of key "muster-outbox-N") this member owns. */
    public static Supplier<List<Integer>> ownedBy(Ownership ownership) {
        return () -> {
            List<Integer> mine = new ArrayList<>();
            for (int partition = 0; partition < Outbox.PARTITIONS; partition++) {
                if (ownership.ownerOf(OWNER_KEY_PREFIX + partition).map(Ownership.Owner::local).orElse(false)) {
                    mine.add(partition);
                }
            }
            return mine;
        };
    }

    /** Stops the rounds and closes the sinks; events not yet published stay in the outbox. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        vertx.cancelTimer(timerId);
        for (EventSink sink : sinks) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                LOG.warn("event sink did not close cleanly: {}", e.toString());
            }
        }
    }
}
