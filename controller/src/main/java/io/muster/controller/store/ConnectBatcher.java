package io.muster.controller.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Gathers "host connected" upserts for up to {@code maxDelay} or {@code maxRows} hosts and writes
 * each batch with ONE statement, so that a reconnect storm (a member lost, 100,000 agents coming
 * back) costs a few hundred round trips instead of one per agent.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread (gRPC or Vert.x). Each returned
 * future completes, on a Vert.x context thread, once the batch holding the call is committed,
 * with the host's stored inventory digest (null when none). Two calls for the same host in one
 * batch are merged: the later one is written, both callers get the result. Metrics: timer
 * {@code muster.store.connect} (one sample per statement) and counter
 * {@code muster.store.connect.rows}.
 */
final class ConnectBatcher {

    record Connect(String hostId, String hostname, String agentVersion, String bootId, OffsetDateTime at) {
    }

    private static final class Pending {
        Connect latest;
        final List<Promise<String>> waiters = new ArrayList<>(1);
    }

    private static final String UPSERT = """
            INSERT INTO hosts AS h (id, hostname, agent_version, boot_id, state, first_seen, last_seen, updated_at)
            SELECT v.id, v.hostname, v.agent_version, v.boot_id, 'online', v.at, v.at, now()
              FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
                   AS v(id, hostname, agent_version, boot_id, at)
             ORDER BY v.id
            ON CONFLICT (id) DO UPDATE SET
                hostname      = COALESCE(EXCLUDED.hostname, h.hostname),
                agent_version = COALESCE(EXCLUDED.agent_version, h.agent_version),
                boot_id       = COALESCE(EXCLUDED.boot_id, h.boot_id),
                state         = CASE WHEN h.last_seen IS NULL OR h.last_seen <= EXCLUDED.last_seen
                                     THEN 'online' ELSE h.state END,
                last_seen     = GREATEST(h.last_seen, EXCLUDED.last_seen),
                updated_at    = now()
            RETURNING h.id, h.inventory_digest
            """;

    private final Vertx vertx;
    private final PreparedQuery<RowSet<Row>> upsert;
    private final long maxDelayMillis;
    private final int maxRows;
    private final Timer batchTimer;
    private final Counter batchRows;

    private final Object lock = new Object();
    private LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
    private long timerId = -1;

    ConnectBatcher(Vertx vertx, Pool pool, MeterRegistry registry, Duration maxDelay, int maxRows) {
        this.vertx = vertx;
        this.batchTimer = Timer.builder("muster.store.connect")
                .description("Latency of one batched host-connected upsert")
                .register(registry);
        this.batchRows = Counter.builder("muster.store.connect.rows")
                .description("Hosts written by batched host-connected upserts")
                .register(registry);
        this.upsert = pool.preparedQuery(UPSERT);
        this.maxDelayMillis = Math.max(1, maxDelay.toMillis());
        this.maxRows = maxRows;
    }

    Future<String> submit(Connect connect) {
        Promise<String> promise = Promise.promise();
        Map<String, Pending> full = null;
        synchronized (lock) {
            Pending entry = pending.computeIfAbsent(connect.hostId(), id -> new Pending());
            if (entry.latest == null || !connect.at().isBefore(entry.latest.at())) {
                entry.latest = connect;
            }
            entry.waiters.add(promise);
            if (pending.size() >= maxRows) {
                full = takeLocked();
            } else if (timerId < 0) {
                long id = vertx.setTimer(maxDelayMillis, this::onTimer);
                timerId = id;
            }
        }
        if (full != null) {
            write(full);
        }
        return promise.future();
    }

    /** Writes whatever is gathered now; completes when that batch is written. */
    Future<Void> flush() {
        Map<String, Pending> batch;
        synchronized (lock) {
            batch = takeLocked();
        }
        return batch.isEmpty() ? Future.succeededFuture() : write(batch);
    }

    private void onTimer(long firedId) {
        Map<String, Pending> batch;
        synchronized (lock) {
            if (firedId != timerId) {
                return;
            }
            batch = takeLocked();
        }
        if (!batch.isEmpty()) {
            write(batch);
        }
    }

    private Map<String, Pending> takeLocked() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        Map<String, Pending> batch = pending;
        pending = new LinkedHashMap<>();
        return batch;
    }

    private Future<Void> write(Map<String, Pending> batch) {
        int n = batch.size();
        String[] ids = new String[n];
        String[] hostnames = new String[n];
        String[] versions = new String[n];
        String[] bootIds = new String[n];
        OffsetDateTime[] ats = new OffsetDateTime[n];
        int i = 0;
        // Rows are locked in id order by every multi-row writer of hosts, so that batches of
        // different members (and the last-seen flush) cannot deadlock each other.
        for (Pending entry : new TreeMap<>(batch).values()) {
            Connect c = entry.latest;
            ids[i] = c.hostId();
            hostnames[i] = blankToNull(c.hostname());
            versions[i] = blankToNull(c.agentVersion());
            bootIds[i] = blankToNull(c.bootId());
            ats[i] = c.at();
            i++;
        }
        Timer.Sample sample = Timer.start();
        return Deadlocks.retry(() -> upsert.execute(Tuple.of(ids, hostnames, versions, bootIds, ats)))
                .onSuccess(rows -> {
                    sample.stop(batchTimer);
                    batchRows.increment(n);
                    Map<String, String> digests = new HashMap<>(n * 2);
                    for (Row row : rows) {
                        digests.put(row.getString(0), row.getString(1));
                    }
                    batch.forEach((id, entry) -> entry.waiters.forEach(p -> p.complete(digests.get(id))));
                })
                .onFailure(e -> batch.values().forEach(entry -> entry.waiters.forEach(p -> p.fail(e))))
                .mapEmpty();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
