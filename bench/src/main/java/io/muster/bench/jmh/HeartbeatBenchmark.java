package io.muster.bench.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.controller.store.HostRepository;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.Heartbeat;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Heartbeat handling on the controller: decode the AgentMessage as it comes off the stream and
 * record the host as seen in {@link HostRepository} (the in-memory batch that is flushed to
 * PostgreSQL once per interval, never a write per heartbeat). 110,000 distinct hosts in turn,
 * from two threads as the gateway's event loops would. Needs a PostgreSQL server (see
 * {@link BenchDatabase}) for the repository's periodic flush.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
@Fork(1)
public class HeartbeatBenchmark {

    static final int HOSTS = 110_000;

    private BenchDatabase database;
    private HostRepository hosts;
    private String[] hostIds;
    private byte[] heartbeat;

    @Setup(Level.Trial)
    public void open() throws Exception {
        database = BenchDatabase.open();
        hosts = new HostRepository(database.database(), new SimpleMeterRegistry());
        hostIds = new String[HOSTS];
        for (int i = 0; i < HOSTS; i++) {
            hostIds[i] = String.format("%032x", i);
        }
        heartbeat = AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                        .setSequence(42).setLoad1(0.42).setLoad5(0.38).setLoad15(0.30)
                        .setMemUsedBytes(3_221_225_472L).setUptimeSeconds(864_000).setSentAtMs(1_767_000_000_000L)
                        .setCpuBusy(0.12))
                .build().toByteArray();
    }

    /** Each benchmark thread walks the fleet from its own starting point. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public long handleHeartbeat(Cursor cursor) throws Exception {
        AgentMessage message = AgentMessage.parseFrom(heartbeat);
        int i = cursor.next++;
        if (cursor.next == HOSTS) {
            cursor.next = 0;
        }
        hosts.seen(hostIds[i]);
        return message.getHeartbeat().getSequence();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        BenchDatabase.await(hosts.close());
        database.close();
    }
}
