package io.muster.controller.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps heartbeats and disconnects in memory and writes them periodically, all hosts in one
 * statement (chunked at {@value #MAX_ROWS_PER_STATEMENT} rows), so that a heartbeat never costs a
 * database write of its own. A heartbeat's {@link Vitals} ride along: the latest ones replace the
 * host's {@code vitals} in the same statement (a disconnect keeps the last ones).
 *
 * <p>Per host only the latest event is kept; a write applies only if it is not older than the
 * host's stored {@code last_seen}, so a disconnect cannot overwrite a later connect that reached
 * the database first (and vice versa).
 *
 * <p>Thread-safe: {@link #seen} and {@link #disconnected} are lock-free map updates callable from
 * any thread (gRPC threads included). Flushes never overlap. A failed flush puts its events back
 * (unless newer ones arrived) for the next one. Metrics: timer {@code muster.store.flush} (one
 * sample per statement) and counter {@code muster.store.flush.rows}.
 */
public final class LastSeenFlusher {

    private static final Logger log = LoggerFactory.getLogger(LastSeenFlusher.class);
    static final int MAX_ROWS_PER_STATEMENT = 10_000;

    private static final String UPDATE = """
            WITH v AS (SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bool[], $4::float8[], $5::float8[],
                                            $6::float8[], $7::float8[], $8::int8[], $9::int8[])
                                  AS v(id, at, online, load1, load5, load15, cpu, mem, uptime)),
                 locked AS (SELECT h.id FROM hosts h JOIN v ON v.id = h.id ORDER BY h.id FOR UPDATE OF h)
            UPDATE hosts AS h
               SET last_seen = v.at,
                   state = CASE WHEN v.online THEN 'online' ELSE 'offline' END,
                   vitals = CASE WHEN v.mem IS NULL THEN h.vitals
                                 ELSE jsonb_build_object('load.1m', v.load1, 'load.5m', v.load5, 'load.15m', v.load15,
                                                         'cpu.busy', v.cpu, 'mem.used_bytes', v.mem,
                                                         'uptime.seconds', v.uptime) END,
                   updated_at = now()
              FROM v JOIN locked USING (id)
             WHERE h.id = v.id AND (h.last_seen IS NULL OR h.last_seen <= v.at)
            """;

    /** @param vitals the latest reported, null when none since the last flush */
    record Liveness(OffsetDateTime at, boolean online, Vitals vitals) {
    }

    // The later event wins; vitals are those of the latest heartbeat that had any.
    private static final BiFunction<Liveness, Liveness, Liveness> LATEST = (a, b) -> {
        Liveness later = b.at().isBefore(a.at()) ? a : b;
        Liveness earlier = later == a ? b : a;
        return later.vitals() != null || earlier.vitals() == null ? later
                : new Liveness(later.at(), later.online(), earlier.vitals());
    };

    private final Vertx vertx;
    private final PreparedQuery<RowSet<Row>> update;
    private final ConcurrentHashMap<String, Liveness> pending = new ConcurrentHashMap<>();
    private final Timer flushTimer;
    private final Counter flushedRows;
    private final Object tailLock = new Object();
    private Future<Integer> tail = Future.succeededFuture(0);
    private long periodicId = -1;

    LastSeenFlusher(Vertx vertx, Pool pool, MeterRegistry registry) {
        this.vertx = vertx;
        this.update = pool.preparedQuery(UPDATE);
        this.flushTimer = Timer.builder("muster.store.flush")
                .description("Latency of one batched last-seen/state write")
                .register(registry);
        this.flushedRows = Counter.builder("muster.store.flush.rows")
                .description("Host liveness rows written by batched flushes")
                .register(registry);
    }

    void seen(String hostId, OffsetDateTime at, Vitals vitals) {
        pending.merge(hostId, new Liveness(at, true, vitals), LATEST);
    }

    void disconnected(String hostId, OffsetDateTime at) {
        pending.merge(hostId, new Liveness(at, false, null), LATEST);
    }

    /** Hosts with events not yet written. */
    public int pendingHosts() {
        return pending.size();
    }

    void start(Duration interval) {
        synchronized (tailLock) {
            if (periodicId < 0) {
                periodicId = vertx.setPeriodic(interval.toMillis(), id -> flushIfIdle());
            }
        }
    }

    /** Stops the periodic flush and writes what is pending. */
    Future<Integer> stop() {
        synchronized (tailLock) {
            if (periodicId >= 0) {
                vertx.cancelTimer(periodicId);
                periodicId = -1;
            }
        }
        return flush();
    }

    private void flushIfIdle() {
        synchronized (tailLock) {
            if (!tail.isComplete()) {
                return;
            }
        }
        flush().onFailure(e -> log.warn("last-seen flush failed, retrying at the next one: {}", e.getMessage()));
    }

    /** Writes every pending event after any flush in progress; completes with the rows written. */
    public Future<Integer> flush() {
        synchronized (tailLock) {
            Future<Integer> next = tail.transform(ignored -> flushOnce());
            tail = next;
            return next;
        }
    }

    private Future<Integer> flushOnce() {
        List<Map.Entry<String, Liveness>> batch = new ArrayList<>(pending.size());
        for (String hostId : pending.keySet()) {
            // remove() is atomic per key: an event recorded after this point starts a new entry.
            Liveness liveness = pending.remove(hostId);
            if (liveness != null) {
                batch.add(Map.entry(hostId, liveness));
            }
        }
        Future<Integer> chain = Future.succeededFuture(0);
        for (int from = 0; from < batch.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<Map.Entry<String, Liveness>> chunk = batch.subList(from, Math.min(batch.size(), from + MAX_ROWS_PER_STATEMENT));
            chain = chain.compose(written -> write(chunk).map(n -> written + n));
        }
        return chain.onFailure(e -> batch.forEach(entry -> pending.merge(entry.getKey(), entry.getValue(), LATEST)));
    }

    private Future<Integer> write(List<Map.Entry<String, Liveness>> chunk) {
        int n = chunk.size();
        String[] ids = new String[n];
        OffsetDateTime[] ats = new OffsetDateTime[n];
        Boolean[] online = new Boolean[n];
        Double[] load1 = new Double[n];
        Double[] load5 = new Double[n];
        Double[] load15 = new Double[n];
        Double[] cpu = new Double[n];
        Long[] mem = new Long[n];
        Long[] uptime = new Long[n];
        for (int i = 0; i < n; i++) {
            Liveness liveness = chunk.get(i).getValue();
            ids[i] = chunk.get(i).getKey();
            ats[i] = liveness.at();
            online[i] = liveness.online();
            Vitals v = liveness.vitals();
            if (v != null) {
                load1[i] = v.load1();
                load5[i] = v.load5();
                load15[i] = v.load15();
                cpu[i] = v.cpuBusy();
                mem[i] = v.memUsedBytes();
                uptime[i] = v.uptimeSeconds();
            }
        }
        Timer.Sample sample = Timer.start();
        return Deadlocks.retry(() -> update.execute(Tuple.of(ids, ats, online, load1, load5, load15, cpu, mem, uptime)))
                .map(rows -> {
                    sample.stop(flushTimer);
                    flushedRows.increment(n);
                    return rows.rowCount();
                });
    }
}
