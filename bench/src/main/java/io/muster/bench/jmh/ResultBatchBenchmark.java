package io.muster.bench.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.controller.task.RunResultBatcher;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskUpdate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Result batching: 1,000 task updates (one per run of a 1,000-host task) handed to
 * {@link RunResultBatcher} and acknowledged: the statement built from the batch (unnest arrays),
 * executed in one round trip against PostgreSQL (see {@link BenchDatabase}), then the acks. Each
 * operation carries the next sequence number, so every update is applied, not deduplicated.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ResultBatchBenchmark {

    static final int RUNS = 1_000;

    private BenchDatabase database;
    private RunResultBatcher batcher;
    private String[] runIds;
    private long sequence;

    @Setup(Level.Trial)
    public void open() throws Exception {
        database = BenchDatabase.open();
        runIds = new String[RUNS];
        UUID task = UUID.randomUUID();
        try (Connection connection = database.scratch().connect()) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tasks (id, kind, spec, target, "
                    + "timeout_seconds, total) VALUES (?, 'exec', '{\"command\":[\"true\"]}', '{\"selector\":\"role\"}', 300, ?)")) {
                insert.setObject(1, task);
                insert.setInt(2, RUNS);
                insert.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO runs (id, task_id, host_id) VALUES (?, ?, ?)")) {
                for (int i = 0; i < RUNS; i++) {
                    UUID run = UUID.randomUUID();
                    runIds[i] = run.toString();
                    insert.setObject(1, run);
                    insert.setObject(2, task);
                    insert.setString(3, String.format("%032x", i));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        }
        batcher = new RunResultBatcher(database.vertx(), database.database().pool(), new SimpleMeterRegistry(),
                Duration.ofMillis(50), RUNS, RunResultBatcher.DEFAULT_OUTPUT_LIMIT);
    }

    @Benchmark
    public int submitAndAcknowledgeOneBatch() throws Exception {
        long seq = ++sequence;
        long now = System.currentTimeMillis();
        CountDownLatch acked = new CountDownLatch(RUNS);
        AtomicInteger refs = new AtomicInteger();
        for (String runId : runIds) {
            batcher.submit(TaskUpdate.newBuilder().setRunId(runId).setSequence(seq).setState(RunState.RUN_STATE_RUNNING)
                    .setStartedAtMs(now).build(), updates -> {
                        refs.addAndGet(updates.size());
                        for (int i = 0; i < updates.size(); i++) {
                            acked.countDown();
                        }
                    });
        }
        if (!acked.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the batch was not acknowledged within 60 s");
        }
        return refs.get();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        BenchDatabase.await(batcher.close());
        database.close();
    }
}
