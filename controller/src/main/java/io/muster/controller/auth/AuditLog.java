package io.muster.controller.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: {@link #record} only queues (no I/O on the request path); a timer writes the
 * queue every {@value #FLUSH_MS} ms in one batched INSERT. {@link #flush()} writes now.
 *
 * <p>Guarantees: an event recorded before {@link #flush()} or {@link #close()} is committed when
 * their future completes. Events still queued when the process is killed are lost. No event is
 * dropped silently: past {@value #MAX_QUEUE} queued events the oldest is dropped, and a batch the
 * database refuses is dropped; both are counted in {@code muster_audit_dropped_total} (tagged
 * {@code reason=queue-full|write-failed}) and logged (a queue-full line at most every
 * {@value #DROP_LOG_SECONDS} s with the count since the last one).
 * Thread-safe; no method blocks.
 */
public final class AuditLog {

    /** Longest action, target or detail kept (characters); see {@link #clip}. */
    static final int MAX_TEXT = 512;

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final long FLUSH_MS = 200;
    static final int MAX_QUEUE = 100_000;
    static final int BATCH = 1_000;
    public static final int MAX_PAGE = 1_000;

    private final Vertx vertx;
    private final Pool pool;
    private final Clock clock;
    private final ConcurrentLinkedQueue<AuditEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final int maxQueue;
    static final long DROP_LOG_SECONDS = 10;
    private final Counter droppedQueueFull;
    private final Counter droppedWriteFailed;
    private final AtomicLong unloggedDrops = new AtomicLong();
    private final AtomicLong lastDropLog = new AtomicLong(Long.MIN_VALUE);
    private final long timer;
    private Future<Void> writing = Future.succeededFuture();

    public AuditLog(Vertx vertx, Pool pool, Clock clock, MeterRegistry registry) {
        this(vertx, pool, clock, registry, MAX_QUEUE);
    }

    /** @param maxQueue events queued at most (a test fills a small queue instead of 100,000 rows) */
    AuditLog(Vertx vertx, Pool pool, Clock clock, MeterRegistry registry, int maxQueue) {
        this.maxQueue = maxQueue;
        this.vertx = vertx;
        this.pool = pool;
        this.clock = clock;
        this.droppedQueueFull = dropped(registry, "queue-full");
        this.droppedWriteFailed = dropped(registry, "write-failed");
        this.timer = vertx.setPeriodic(FLUSH_MS, t -> flush());
    }

    /** Queues an event stamped now. */
    public void record(String actorId, String actorName, String action, String target, int outcome, String detail) {
        if (queued.incrementAndGet() > maxQueue) {
            queue.poll();
            queued.decrementAndGet();
            droppedQueueFull.increment();
            droppedOldest();
        }
        queue.add(new AuditEvent(0, clock.instant(), actorId, clip(actorName, 256), clip(action, MAX_TEXT),
                clip(target, MAX_TEXT), outcome, clip(detail, MAX_TEXT)));
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("muster_audit_dropped").tag("reason", reason)
                .description("Audit events lost: the queue was full (oldest dropped) or the database refused a batch")
                .register(registry);
    }

    // One line per DROP_LOG_SECONDS at most: a flood that fills the queue must not also flood the log.
    private void droppedOldest() {
        long drops = unloggedDrops.incrementAndGet();
        long now = System.nanoTime();
        long last = lastDropLog.get();
        if ((last == Long.MIN_VALUE || now - last >= DROP_LOG_SECONDS * 1_000_000_000L) && lastDropLog.compareAndSet(last, now)) {
            unloggedDrops.addAndGet(-drops);
            LOG.warn("audit queue full ({} events): dropped the {} oldest event(s) since the last report; "
                    + "muster_audit_dropped_total{{reason=\"queue-full\"}} counts them all", maxQueue, drops);
        }
    }

    /** Events lost so far, for any reason (the sum of {@code muster_audit_dropped_total}). */
    public double dropped() {
        return droppedQueueFull.count() + droppedWriteFailed.count();
    }

    /**
     * Clips a caller-controlled text (a request path can be kilobytes long): an indexed value over
     * PostgreSQL's index row limit (~2.7 kB) would fail the whole batch and lose every event in it.
     */
    static String clip(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "... (" + text.length() + " characters)";
    }

    /** Writes everything queued so far; completes when it is committed. */
    public synchronized Future<Void> flush() {
        List<Tuple> batch = new ArrayList<>();
        AuditEvent event;
        while ((event = queue.poll()) != null) {
            queued.decrementAndGet();
            batch.add(Tuple.of(OffsetDateTime.ofInstant(event.at(), ZoneOffset.UTC), event.actorId(), event.actorName(),
                    event.action(), event.target(), event.outcome(), event.detail()));
        }
        if (batch.isEmpty()) {
            return writing;
        }
        // Chained so that batches land in the order they were taken.
        Promise<Void> done = Promise.promise();
        writing.onComplete(x -> write(batch, 0).onComplete(done));
        writing = done.future();
        return writing;
    }

    private Future<Void> write(List<Tuple> rows, int from) {
        if (from >= rows.size()) {
            return Future.succeededFuture();
        }
        List<Tuple> part = rows.subList(from, Math.min(rows.size(), from + BATCH));
        return pool.preparedQuery("""
                        INSERT INTO audit_events (at, actor_id, actor_name, action, target, outcome, detail)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)""")
                .executeBatch(part)
                .<Void>mapEmpty()
                .recover(e -> {
                    droppedWriteFailed.increment(part.size());
                    LOG.error("could not write {} audit events, they are lost: {}", part.size(), e.toString());
                    return Future.succeededFuture();
                })
                .compose(x -> write(rows, from + BATCH));
    }

    /**
     * One page, newest first.
     *
     * @param actor  token id or null
     * @param action exact action or null
     * @param since  lower bound of {@code at} or null
     * @param before id cursor (exclusive) or null for the first page
     */
    public Future<List<AuditEvent>> page(String actor, String action, Instant since, Long before, int limit) {
        return pool.preparedQuery("""
                        SELECT id, at, actor_id, actor_name, action, target, outcome, detail FROM audit_events
                         WHERE ($1::text IS NULL OR actor_id = $1) AND ($2::text IS NULL OR action = $2)
                           AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::bigint IS NULL OR id < $4)
                         ORDER BY id DESC LIMIT $5""")
                .execute(Tuple.of(actor, action, since == null ? null : OffsetDateTime.ofInstant(since, ZoneOffset.UTC), before, limit))
                .map(rows -> {
                    List<AuditEvent> events = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        events.add(new AuditEvent(row.getLong("id"), row.getOffsetDateTime("at").toInstant(), row.getString("actor_id"),
                                row.getString("actor_name"), row.getString("action"), row.getString("target"),
                                row.getInteger("outcome"), row.getString("detail")));
                    }
                    return events;
                });
    }

    /** Stops the timer and writes what is queued. */
    public Future<Void> close() {
        vertx.cancelTimer(timer);
        return flush();
    }
}
