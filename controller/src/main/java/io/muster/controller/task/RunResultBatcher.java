package io.muster.controller.task;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.muster.proto.v1.TaskUpdate;
import io.muster.proto.v1.UpdateRef;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the agents' {@link TaskUpdate}s to PostgreSQL in batches and acknowledges them once
 * they are durable.
 *
 * <p>A batch is flushed every {@code interval} (default 50 ms) or as soon as {@code maxBatch}
 * (default 1,000) updates wait, as ONE statement whatever its size. The statement is idempotent
 * by (run id, sequence): an update whose sequence is at or below the run's stored
 * {@code last_sequence} changes nothing, several updates of one run in a batch are applied in
 * sequence order (output chunks appended in order, capped at the output limit with
 * {@code truncated}), and a run already in a terminal state never changes. Rows are locked in id
 * order before they are read, so two members writing updates of the same run (an agent that
 * moved while a batch was in flight) neither lose nor double an output chunk.
 *
 * <p>Only after the batch commits are its updates acknowledged, one {@code Ack} per {@link AckSink}
 * per batch. Text PostgreSQL cannot store (NUL in a reason or a result) is replaced first
 * ({@link StorableText}). If the statement fails transiently (connection lost, deadlock,
 * serialization failure, server shutting down), the batch stays queued and is retried with
 * exponential backoff: nothing is acknowledged that is not in the database, so the agent's journal
 * keeps it. Any other failure is about the data, so retrying it would block every later result:
 * the batch is split in halves until the update that fails alone is found; its run is recorded
 * {@code failed} ("result could not be stored: ...") and the update acknowledged, and the rest of
 * the batch goes through.
 *
 * <p>Threading: {@link #submit} may be called from any thread (gRPC threads) and never blocks or
 * touches the database. One batch is in flight at a time, which keeps a run's updates in order.
 */
public final class RunResultBatcher {

    private static final Logger log = LoggerFactory.getLogger(RunResultBatcher.class);

    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(50);
    public static final int DEFAULT_MAX_BATCH = 1_000;
    public static final int DEFAULT_OUTPUT_LIMIT = 1024 * 1024;
    /** Beyond this many waiting updates (database down), new ones are refused unacknowledged: the agents keep them. */
    static final int MAX_QUEUED = 200_000;

    private static final String APPLY = "WITH u AS ("
            + " SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::int[], $5::bytea[], $6::bytea[],"
            + " $7::bool[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[])"
            + " AS u(run_id, seq, state, exit_code, out, err, truncated, started_at, finished_at, reason, result)),"
            + " locked AS (SELECT r.id, r.last_sequence FROM runs r WHERE r.id IN (SELECT run_id FROM u)"
            + " AND r.state IN ('pending', 'running') ORDER BY r.id FOR UPDATE),"
            + " fresh AS (SELECT u.* FROM u JOIN locked l ON l.id = u.run_id WHERE u.seq > l.last_sequence),"
            + " agg AS (SELECT run_id, max(seq) AS seq,"
            + " string_agg(out, ''::bytea ORDER BY seq) AS out, string_agg(err, ''::bytea ORDER BY seq) AS err,"
            + " bool_or(truncated) AS truncated, min(started_at) AS started_at,"
            + " (array_agg(state ORDER BY seq) FILTER (WHERE state <> 'running'))[1] AS final_state,"
            + " (array_agg(exit_code ORDER BY seq) FILTER (WHERE state <> 'running'))[1] AS exit_code,"
            + " (array_agg(finished_at ORDER BY seq) FILTER (WHERE state <> 'running'))[1] AS finished_at,"
            + " (array_agg(reason ORDER BY seq) FILTER (WHERE state <> 'running'))[1] AS reason,"
            + " (array_agg(result ORDER BY seq) FILTER (WHERE state <> 'running'))[1] AS result"
            + " FROM fresh GROUP BY run_id)"
            + " UPDATE runs r SET last_sequence = agg.seq,"
            + " state = coalesce(agg.final_state, 'running'),"
            + " stdout = substring(r.stdout || agg.out FROM 1 FOR $12),"
            + " stderr = substring(r.stderr || agg.err FROM 1 FOR $12),"
            + " truncated = r.truncated OR agg.truncated"
            + "   OR octet_length(r.stdout) + octet_length(agg.out) > $12"
            + "   OR octet_length(r.stderr) + octet_length(agg.err) > $12,"
            + " started_at = coalesce(r.started_at, agg.started_at),"
            + " running_since = coalesce(r.running_since, now()),"
            + " exit_code = agg.exit_code, finished_at = agg.finished_at, reason = agg.reason,"
            + " result = agg.result::jsonb,"
            + " recorded_at = CASE WHEN agg.final_state IS NULL THEN NULL ELSE clock_timestamp() END"
            + " FROM agg WHERE r.id = agg.run_id RETURNING r.task_id, r.state";

    private final Vertx vertx;
    private final Pool pool;
    private final int maxBatch;
    private final int outputLimit;
    private final long timerId;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean flushing;
    private boolean closed;

    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** PostgreSQL error classes worth retrying: connection, transaction rollback, resources, operator intervention, system. */
    private static final List<String> TRANSIENT_CLASSES = List.of("08", "40", "53", "57", "58");
    /** Latest year PostgreSQL's timestamptz stores comfortably; later agent times are nonsense and dropped. */
    private static final long MAX_EPOCH_MILLIS = Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();

    private static final String MARK_UNSTORABLE = "UPDATE runs SET state = 'failed', reason = $2, "
            + "last_sequence = greatest(last_sequence, $3), finished_at = coalesce(finished_at, now()), "
            + "running_since = coalesce(running_since, now()), recorded_at = clock_timestamp() "
            + "WHERE id = $1 AND state IN ('pending', 'running')";

    private final AtomicLong statements = new AtomicLong();
    private volatile Consumer<Set<UUID>> committed = tasks -> { };
    private volatile Consumer<Set<UUID>> finished = tasks -> { };
    private final AtomicLong unstorable = new AtomicLong();
    /** Consecutive transient failures; the next attempt waits 100 ms x 2^n, at most 5 s. */
    private int failures;
    private long retryAtNanos;
    private final Timer flushTimer;
    private final Counter applied;
    private final Counter refused;

    /** Above this many waiting updates, submitters wait for their own batch (backpressure on the agents). */
    private final int highWater;

    /** An update waiting for its batch; {@code written} is completed after the commit when a submitter waits. */
    private record Pending(UUID runId, RunStatus state, TaskUpdate update, AckSink sink, Promise<Void> written) {
    }

    public RunResultBatcher(Vertx vertx, Pool pool, MeterRegistry registry) {
        this(vertx, pool, registry, DEFAULT_INTERVAL, DEFAULT_MAX_BATCH, DEFAULT_OUTPUT_LIMIT);
    }

    public RunResultBatcher(Vertx vertx, Pool pool, MeterRegistry registry, Duration interval, int maxBatch,
                            int outputLimit) {
        this.vertx = vertx;
        this.pool = pool;
        this.maxBatch = maxBatch;
        this.outputLimit = outputLimit;
        this.flushTimer = Timer.builder("muster.tasks.results.flush")
                .description("time to write one batch of task updates").register(registry);
        this.applied = Counter.builder("muster.tasks.results.updates")
                .description("task updates written and acknowledged").register(registry);
        this.refused = Counter.builder("muster.tasks.results.refused")
                .description("task updates refused (malformed, or the queue was full)").register(registry);
        this.highWater = maxBatch * 10;
        this.timerId = vertx.setPeriodic(interval.toMillis(), id -> flush());
    }

    /**
     * Queues an update; {@code sink} receives its reference once it is durable. Malformed updates
     * (run id not a UUID, no state) are acknowledged at once and dropped: resending them would
     * never make them valid.
     *
     * @return completes when the caller may hand over the next update: at once while the queue is
     *     short, else when this update is written (so a flood from agents slows the agents, not
     *     the controller's memory)
     */
    public Future<Void> submit(TaskUpdate update, AckSink sink) {
        UUID runId;
        RunStatus state;
        try {
            runId = UUID.fromString(update.getRunId());
            state = RunStatus.fromAgent(update.getState()).orElseThrow(IllegalArgumentException::new);
        } catch (IllegalArgumentException e) {
            log.warn("dropping malformed task update (run id '{}', state {})", update.getRunId(), update.getState());
            refused.increment();
            vertx.runOnContext(v -> sink.acknowledge(List.of(ref(update))));
            return Future.succeededFuture();
        }
        boolean full;
        Promise<Void> written = null;
        synchronized (lock) {
            if (closed || queue.size() >= MAX_QUEUED) {
                refused.increment();
                return Future.succeededFuture();
            }
            if (queue.size() >= highWater) {
                written = Promise.promise();
            }
            queue.add(new Pending(runId, state, update, sink, written));
            full = queue.size() >= maxBatch && !flushing;
        }
        if (full) {
            vertx.runOnContext(v -> flush());
        }
        return written == null ? Future.succeededFuture() : written.future();
    }

    /** Statements executed so far (one per batch). */
    public long statements() {
        return statements.get();
    }

    /** Updates waiting for a batch. */
    public int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    private void flush() {
        List<Pending> batch;
        synchronized (lock) {
            if (flushing || queue.isEmpty() || (failures > 0 && System.nanoTime() < retryAtNanos)) {
                return;
            }
            flushing = true;
            batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
            while (batch.size() < maxBatch && !queue.isEmpty()) {
                batch.add(queue.poll());
            }
        }
        long started = System.nanoTime();
        writeIsolating(batch).onComplete(ar -> {
            boolean more;
            long backoffMs = 0;
            synchronized (lock) {
                flushing = false;
                if (ar.failed()) {
                    // Back to the front, in order: the next attempt retries before anything newer.
                    for (int i = batch.size() - 1; i >= 0; i--) {
                        queue.addFirst(batch.get(i));
                    }
                    backoffMs = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(failures, 16));
                    failures++;
                    retryAtNanos = System.nanoTime() + backoffMs * 1_000_000L;
                } else {
                    failures = 0;
                }
                more = ar.succeeded() && queue.size() >= maxBatch;
            }
            if (ar.failed()) {
                log.warn("could not write {} task updates; retrying in {} ms: {}", batch.size(), backoffMs,
                        ar.cause().toString());
                return;
            }
            flushTimer.record(Duration.ofNanos(System.nanoTime() - started));
            applied.increment(batch.size());
            acknowledge(batch);
            if (more) {
                flush();
            }
        });
    }

    /**
     * Told, after each commit, which tasks had runs changed by it (on the Vert.x context; must not
     * block). Progress watchers use it to look at those tasks sooner.
     */
    public void onCommitted(Consumer<Set<UUID>> listener) {
        this.committed = listener;
    }

    /**
     * Told, after each commit, which tasks had runs reach a terminal state in it (on the Vert.x
     * context; must not block). Rollout owners use it to refill their slots without waiting.
     */
    public void onFinished(Consumer<Set<UUID>> listener) {
        this.finished = listener;
    }

    /** Updates recorded as "result could not be stored" so far (their runs ended failed). */
    public long unstorable() {
        return unstorable.get();
    }

    /**
     * Writes the batch; on a failure that is about the data, halves it until the update that
     * cannot be stored is alone, and ends its run instead. Fails only on a transient error (the
     * caller retries the whole batch; what was written already is idempotent by sequence).
     */
    private Future<Void> writeIsolating(List<Pending> batch) {
        return write(batch).recover(error -> {
            if (isTransient(error)) {
                return Future.failedFuture(error);
            }
            if (batch.size() == 1) {
                return markUnstorable(batch.get(0), error);
            }
            // Each run's updates stay together and in sequence order, so a split never applies a
            // later update before an earlier one of the same run.
            List<Pending> sorted = new ArrayList<>(batch);
            sorted.sort(Comparator.comparing(Pending::runId)
                    .thenComparingLong(pending -> pending.update().getSequence()));
            int half = sorted.size() / 2;
            List<Pending> first = sorted.subList(0, half);
            List<Pending> second = sorted.subList(half, sorted.size());
            return writeIsolating(first).compose(v -> writeIsolating(second));
        });
    }

    private Future<Void> markUnstorable(Pending pending, Throwable error) {
        String reason = StorableText.text("result could not be stored: " + describe(error));
        log.warn("task update {}/{} of host cannot be stored, run recorded failed: {}", pending.runId(),
                pending.update().getSequence(), describe(error));
        statements.incrementAndGet();
        return pool.preparedQuery(MARK_UNSTORABLE)
                .execute(Tuple.of(pending.runId(), reason.length() > 1_000 ? reason.substring(0, 1_000) : reason,
                        pending.update().getSequence()))
                .onSuccess(rows -> unstorable.incrementAndGet())
                .mapEmpty();
    }

    private static String describe(Throwable error) {
        if (error instanceof PgException) {
            PgException pg = (PgException) error;
            return pg.getErrorMessage() + " (SQLSTATE " + pg.getSqlState() + ")";
        }
        return String.valueOf(error.getMessage());
    }

    /**
     * Whether retrying the same statement may succeed: anything that is not an error PostgreSQL
     * raised about the statement (connection closed, pool closed, timeout) and the server's own
     * transient classes. Data, constraint and syntax errors fail the same way every time.
     */
    static boolean isTransient(Throwable error) {
        if (!(error instanceof PgException)) {
            return true;
        }
        String state = ((PgException) error).getSqlState();
        return state == null || state.length() < 2 || TRANSIENT_CLASSES.contains(state.substring(0, 2));
    }

    private Future<Void> write(List<Pending> batch) {
        int n = batch.size();
        UUID[] runIds = new UUID[n];
        Long[] seqs = new Long[n];
        String[] states = new String[n];
        Integer[] exitCodes = new Integer[n];
        Buffer[] outs = new Buffer[n];
        Buffer[] errs = new Buffer[n];
        Boolean[] truncated = new Boolean[n];
        OffsetDateTime[] startedAt = new OffsetDateTime[n];
        OffsetDateTime[] finishedAt = new OffsetDateTime[n];
        String[] reasons = new String[n];
        String[] results = new String[n];
        // The same (run, sequence) twice in one batch (a resend racing its original) must not append twice.
        Set<String> seen = new HashSet<>();
        int rows = 0;
        for (Pending pending : batch) {
            TaskUpdate u = pending.update();
            if (!seen.add(pending.runId() + "/" + u.getSequence())) {
                continue;
            }
            runIds[rows] = pending.runId();
            seqs[rows] = u.getSequence();
            states[rows] = pending.state().dbName();
            exitCodes[rows] = u.getHasExitCode() ? u.getExitCode() : null;
            outs[rows] = Buffer.buffer(u.getStdoutChunk().toByteArray());
            errs[rows] = Buffer.buffer(u.getStderrChunk().toByteArray());
            truncated[rows] = u.getTruncated();
            startedAt[rows] = time(u.getStartedAtMs());
            finishedAt[rows] = time(u.getFinishedAtMs());
            reasons[rows] = u.getReason().isEmpty() ? null : StorableText.text(u.getReason());
            results[rows] = result(u);
            rows++;
        }
        Tuple params = Tuple.of(trim(runIds, rows), trim(seqs, rows), trim(states, rows), trim(exitCodes, rows),
                trim(outs, rows), trim(errs, rows), trim(truncated, rows), trim(startedAt, rows),
                trim(finishedAt, rows), trim(reasons, rows), trim(results, rows), outputLimit);
        statements.incrementAndGet();
        return pool.preparedQuery(APPLY).execute(params).map(changed -> {
            Set<UUID> tasks = new HashSet<>();
            Set<UUID> ended = new HashSet<>();
            changed.forEach(row -> {
                tasks.add(row.getUUID(0));
                if (RunStatus.fromDbName(row.getString(1)).map(RunStatus::terminal).orElse(false)) {
                    ended.add(row.getUUID(0));
                }
            });
            if (!tasks.isEmpty()) {
                committed.accept(tasks);
            }
            if (!ended.isEmpty()) {
                finished.accept(ended);
            }
            return null;
        });
    }

    private static <T> T[] trim(T[] array, int length) {
        return length == array.length ? array : java.util.Arrays.copyOf(array, length);
    }

    private static OffsetDateTime time(long epochMillis) {
        return epochMillis <= 0 || epochMillis > MAX_EPOCH_MILLIS ? null : OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    private static String result(TaskUpdate update) {
        if (!update.hasResult()) {
            return null;
        }
        return StorableText.json(StructJson.toJson(update.getResult())).encode();
    }

    private static void acknowledge(List<Pending> batch) {
        Map<AckSink, List<UpdateRef>> bySink = new IdentityHashMap<>();
        for (Pending pending : batch) {
            bySink.computeIfAbsent(pending.sink(), s -> new ArrayList<>()).add(ref(pending.update()));
        }
        for (Pending pending : batch) {
            if (pending.written() != null) {
                pending.written().tryComplete();
            }
        }
        bySink.forEach((sink, refs) -> {
            try {
                sink.acknowledge(refs);
            } catch (RuntimeException e) {
                log.warn("acknowledging {} task updates failed", refs.size(), e);
            }
        });
    }

    private static UpdateRef ref(TaskUpdate update) {
        return UpdateRef.newBuilder().setRunId(update.getRunId()).setSequence(update.getSequence()).build();
    }

    /**
     * Stops taking updates and writes what is queued (for up to 5 s; updates not written then stay
     * in the agents' journals and come back with the next connection).
     */
    public Future<Void> close() {
        synchronized (lock) {
            closed = true;
        }
        vertx.cancelTimer(timerId);
        Promise<Void> drained = Promise.promise();
        drain(drained, System.nanoTime() + Duration.ofSeconds(5).toNanos());
        return drained.future();
    }

    private void drain(Promise<Void> drained, long deadline) {
        boolean idle;
        synchronized (lock) {
            idle = queue.isEmpty() && !flushing;
        }
        if (idle || System.nanoTime() > deadline) {
            drained.tryComplete();
            return;
        }
        flush();
        vertx.setTimer(20, id -> drain(drained, deadline));
    }
}
