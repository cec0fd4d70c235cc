package io.muster.controller.vitals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.muster.controller.store.Deadlocks;
import io.muster.controller.store.HostNotFoundException;
import io.muster.controller.store.Vitals;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every host's vitals downsampled to buckets of a fixed length (5 minutes by default): per bucket
 * the number of heartbeats and the min, sum and max of load (1 min), CPU busy and memory used,
 * and the largest uptime. Heartbeats are folded into the host's open bucket in memory; a bucket is
 * written once it has closed (its end passed), all closed buckets of a round in one statement per
 * {@value #MAX_ROWS_PER_STATEMENT} rows, so a heartbeat never costs a write of its own and a
 * host costs one row per bucket. The write is an upsert that merges counts, minima, sums and
 * maxima, so a host whose session moved to another member in the middle of a bucket ends up with
 * one row for it. What a member holds when it dies uncleanly (at most one open bucket per host)
 * is lost; {@link #stop()} writes the open buckets too.
 *
 * <p>Threading: {@link #record} may be called from any thread and only touches memory (per-host
 * atomic map updates). Rounds never overlap; futures complete on Vert.x context threads. A failed
 * round puts its buckets back for the next one, up to {@value #MAX_BACKLOG} buckets.
 * Metrics: counter {@code muster.vitals.rows}, timer {@code muster.vitals.write}.
 */
public final class VitalsSeries {

    private static final Logger LOG = LoggerFactory.getLogger(VitalsSeries.class);
    public static final Duration DEFAULT_RESOLUTION = Duration.ofMinutes(5);
    static final int MAX_ROWS_PER_STATEMENT = 10_000;
    static final int MAX_BACKLOG = 2_000_000;
    /** Points one read answers at most (35 days of 5-minute buckets). */
    public static final int MAX_POINTS = 10_080;
    private static final int DAYS_AHEAD = 2;

    private static final String UPSERT = """
            INSERT INTO host_vitals (host_id, bucket, samples, load1_min, load1_sum, load1_max, cpu_min, cpu_sum, cpu_max,
                                     mem_min, mem_sum, mem_max, uptime_s)
            SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int4[], $4::float8[], $5::float8[], $6::float8[],
                                 $7::float8[], $8::float8[], $9::float8[], $10::int8[], $11::float8[], $12::int8[], $13::int8[])
            ON CONFLICT (host_id, bucket) DO UPDATE SET
                samples = host_vitals.samples + EXCLUDED.samples,
                load1_min = least(host_vitals.load1_min, EXCLUDED.load1_min),
                load1_sum = host_vitals.load1_sum + EXCLUDED.load1_sum,
                load1_max = greatest(host_vitals.load1_max, EXCLUDED.load1_max),
                cpu_min = least(host_vitals.cpu_min, EXCLUDED.cpu_min),
                cpu_sum = host_vitals.cpu_sum + EXCLUDED.cpu_sum,
                cpu_max = greatest(host_vitals.cpu_max, EXCLUDED.cpu_max),
                mem_min = least(host_vitals.mem_min, EXCLUDED.mem_min),
                mem_sum = host_vitals.mem_sum + EXCLUDED.mem_sum,
                mem_max = greatest(host_vitals.mem_max, EXCLUDED.mem_max),
                uptime_s = greatest(host_vitals.uptime_s, EXCLUDED.uptime_s)
            """;

    private static final String READ = """
            SELECT h.id AS known, v.* FROM hosts h LEFT JOIN LATERAL (
                   SELECT * FROM host_vitals v WHERE v.host_id = h.id AND v.bucket >= $2
                      AND ($3::timestamptz IS NULL OR v.bucket < $3) ORDER BY v.bucket LIMIT $4) v ON TRUE
             WHERE h.id = $1 ORDER BY v.bucket
            """;

    private final Vertx vertx;
    private final Pool pool;
    private final Clock clock;
    private final long resolutionMs;
    private final PreparedQuery<RowSet<Row>> upsert;
    private final ConcurrentHashMap<String, Bucket> open = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Bucket> closed = new ConcurrentLinkedQueue<>();
    private final AtomicInteger closedCount = new AtomicInteger();
    private final Counter rowsWritten;
    private final Timer writeTimer;
    private final Object tailLock = new Object();
    private Future<Integer> tail = Future.succeededFuture(0);
    private long periodicId = -1;

    public VitalsSeries(Vertx vertx, Pool pool, MeterRegistry registry, Clock clock, Duration resolution) {
        if (resolution.toMillis() < 1_000) {
            throw new IllegalArgumentException("the vitals resolution must be at least 1 s, got " + resolution);
        }
        this.vertx = vertx;
        this.pool = pool;
        this.clock = clock;
        this.resolutionMs = resolution.toMillis();
        this.upsert = pool.preparedQuery(UPSERT);
        this.rowsWritten = Counter.builder("muster.vitals.rows")
                .description("Downsampled vitals rows written (one per host and bucket, more when a bucket is merged)")
                .register(registry);
        this.writeTimer = Timer.builder("muster.vitals.write")
                .description("Latency of one batched vitals series write")
                .register(registry);
    }

    /** The bucket length. */
    public Duration resolution() {
        return Duration.ofMillis(resolutionMs);
    }

    /** Folds one heartbeat's vitals into the host's open bucket. No I/O. */
    public void record(String hostId, Vitals vitals) {
        long now = clock.millis();
        long start = now - Math.floorMod(now, resolutionMs);
        open.compute(hostId, (id, bucket) -> {
            if (bucket != null && bucket.start != start) {
                close(bucket);
                bucket = null;
            }
            if (bucket == null) {
                bucket = new Bucket(id, start);
            }
            bucket.add(vitals);
            return bucket;
        });
    }

    private void close(Bucket bucket) {
        if (closedCount.incrementAndGet() > MAX_BACKLOG) {
            closedCount.decrementAndGet();
            LOG.warn("vitals backlog full ({} buckets): a bucket of host {} is dropped", MAX_BACKLOG, bucket.hostId);
            return;
        }
        closed.add(bucket);
    }

    /** Buckets not written yet (open and closed). */
    public int pending() {
        return open.size() + closedCount.get();
    }

    /** Starts writing closed buckets every {@code interval}. */
    public void start(Duration interval) {
        synchronized (tailLock) {
            if (periodicId < 0) {
                periodicId = vertx.setPeriodic(interval.toMillis(), id -> {
                    synchronized (tailLock) {
                        if (!tail.isComplete()) {
                            return;
                        }
                    }
                    flush(false).onFailure(e -> LOG.warn("vitals write failed, retrying at the next round: {}", e.getMessage()));
                });
            }
        }
    }

    /** Stops the periodic writes and writes every bucket, the open ones too. */
    public Future<Integer> stop() {
        synchronized (tailLock) {
            if (periodicId >= 0) {
                vertx.cancelTimer(periodicId);
                periodicId = -1;
            }
        }
        return flush(true);
    }

    /**
     * Writes the closed buckets (and with {@code everything}, the open ones) after any round in
     * progress; completes with the rows written.
     */
    public Future<Integer> flush(boolean everything) {
        synchronized (tailLock) {
            Future<Integer> next = tail.transform(ignored -> round(everything));
            tail = next;
            return next;
        }
    }

    private Future<Integer> round(boolean everything) {
        long now = clock.millis();
        for (String hostId : open.keySet()) {
            open.computeIfPresent(hostId, (id, bucket) -> {
                if (everything || bucket.start + resolutionMs <= now) {
                    close(bucket);
                    return null;
                }
                return bucket;
            });
        }
        // The same host and bucket twice in one statement would fail the upsert: merge them first.
        Map<String, Bucket> merged = new LinkedHashMap<>();
        Bucket bucket;
        while ((bucket = closed.poll()) != null) {
            closedCount.decrementAndGet();
            merged.merge(bucket.hostId + '\n' + bucket.start, bucket, Bucket::merge);
        }
        // Host order: concurrent writers (two members after a move) lock rows in the same order.
        List<Bucket> batch = new ArrayList<>(merged.values());
        batch.sort(Comparator.comparing((Bucket b) -> b.hostId).thenComparingLong(b -> b.start));
        Future<Integer> chain = Future.succeededFuture(0);
        for (int from = 0; from < batch.size(); from += MAX_ROWS_PER_STATEMENT) {
            List<Bucket> chunk = batch.subList(from, Math.min(batch.size(), from + MAX_ROWS_PER_STATEMENT));
            chain = chain.compose(written -> write(chunk).map(n -> written + n));
        }
        return chain.onFailure(e -> batch.forEach(this::close));
    }

    private Future<Integer> write(List<Bucket> chunk) {
        int n = chunk.size();
        String[] hosts = new String[n];
        OffsetDateTime[] starts = new OffsetDateTime[n];
        Integer[] samples = new Integer[n];
        Double[] load1Min = new Double[n];
        Double[] load1Sum = new Double[n];
        Double[] load1Max = new Double[n];
        Double[] cpuMin = new Double[n];
        Double[] cpuSum = new Double[n];
        Double[] cpuMax = new Double[n];
        Long[] memMin = new Long[n];
        Double[] memSum = new Double[n];
        Long[] memMax = new Long[n];
        Long[] uptime = new Long[n];
        for (int i = 0; i < n; i++) {
            Bucket b = chunk.get(i);
            hosts[i] = b.hostId;
            starts[i] = OffsetDateTime.ofInstant(Instant.ofEpochMilli(b.start), ZoneOffset.UTC);
            samples[i] = b.samples;
            load1Min[i] = b.load1Min;
            load1Sum[i] = b.load1Sum;
            load1Max[i] = b.load1Max;
            cpuMin[i] = b.cpuMin;
            cpuSum[i] = b.cpuSum;
            cpuMax[i] = b.cpuMax;
            memMin[i] = b.memMin;
            memSum[i] = b.memSum;
            memMax[i] = b.memMax;
            uptime[i] = b.uptime;
        }
        Timer.Sample sample = Timer.start();
        return Deadlocks.retry(() -> upsert.execute(Tuple.of(hosts, starts, samples, load1Min, load1Sum, load1Max, cpuMin,
                        cpuSum, cpuMax, memMin, memSum, memMax, uptime)))
                .map(rows -> {
                    sample.stop(writeTimer);
                    rowsWritten.increment(n);
                    return n;
                });
    }

    /**
     * The host's written buckets starting in [since, until), oldest first, at most
     * {@value #MAX_POINTS}. Fails with {@link HostNotFoundException} when the host is unknown.
     *
     * @param until null for no end
     */
    public Future<List<VitalsPoint>> read(String hostId, Instant since, Instant until) {
        return pool.preparedQuery(READ)
                .execute(Tuple.of(hostId, OffsetDateTime.ofInstant(since, ZoneOffset.UTC),
                        until == null ? null : OffsetDateTime.ofInstant(until, ZoneOffset.UTC), MAX_POINTS))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(new HostNotFoundException(hostId));
                    }
                    List<VitalsPoint> points = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        if (row.getValue("bucket") == null) {
                            continue;
                        }
                        int samples = row.getInteger("samples");
                        points.add(new VitalsPoint(row.getOffsetDateTime("bucket").toInstant(), samples,
                                new VitalsPoint.Range(row.getDouble("load1_min"), row.getDouble("load1_sum") / samples, row.getDouble("load1_max")),
                                new VitalsPoint.Range(row.getDouble("cpu_min"), row.getDouble("cpu_sum") / samples, row.getDouble("cpu_max")),
                                new VitalsPoint.Range(row.getLong("mem_min"), row.getDouble("mem_sum") / samples, row.getLong("mem_max")),
                                row.getLong("uptime_s")));
                    }
                    return Future.succeededFuture(points);
                });
    }

    /** Creates the coming days' partitions and drops those past the retention. */
    public Future<Void> maintain(Duration retention) {
        return pool.preparedQuery("SELECT host_vitals_maintain($1, make_interval(secs => $2))")
                .execute(Tuple.of(DAYS_AHEAD, (double) retention.toSeconds()))
                .mapEmpty();
    }

    /** One host's open bucket; mutated only inside the map's per-key compute, read once closed. */
    private static final class Bucket {
        final String hostId;
        final long start;
        int samples;
        double load1Min = Double.MAX_VALUE;
        double load1Sum;
        double load1Max = -Double.MAX_VALUE;
        double cpuMin = Double.MAX_VALUE;
        double cpuSum;
        double cpuMax = -Double.MAX_VALUE;
        long memMin = Long.MAX_VALUE;
        double memSum;
        long memMax = Long.MIN_VALUE;
        long uptime;

        Bucket(String hostId, long start) {
            this.hostId = hostId;
            this.start = start;
        }

        void add(Vitals v) {
            samples++;
            load1Min = Math.min(load1Min, v.load1());
            load1Sum += v.load1();
            load1Max = Math.max(load1Max, v.load1());
            cpuMin = Math.min(cpuMin, v.cpuBusy());
            cpuSum += v.cpuBusy();
            cpuMax = Math.max(cpuMax, v.cpuBusy());
            memMin = Math.min(memMin, v.memUsedBytes());
            memSum += v.memUsedBytes();
            memMax = Math.max(memMax, v.memUsedBytes());
            uptime = Math.max(uptime, v.uptimeSeconds());
        }

        Bucket merge(Bucket other) {
            samples += other.samples;
            load1Min = Math.min(load1Min, other.load1Min);
            load1Sum += other.load1Sum;
            load1Max = Math.max(load1Max, other.load1Max);
            cpuMin = Math.min(cpuMin, other.cpuMin);
            cpuSum += other.cpuSum;
            cpuMax = Math.max(cpuMax, other.cpuMax);
            memMin = Math.min(memMin, other.memMin);
            memSum += other.memSum;
            memMax = Math.max(memMax, other.memMax);
            uptime = Math.max(uptime, other.uptime);
            return this;
        }
    }
}
