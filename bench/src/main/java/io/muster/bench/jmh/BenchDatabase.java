package io.muster.bench.jmh;

import io.muster.bench.fleet.FleetDatabase;
import io.muster.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A scratch database for the benchmarks that touch PostgreSQL: created on the server of
 * {@code MUSTER_BENCH_DB_URL} (default: the local server, postgresql://postgres@127.0.0.1:5432/postgres),
 * migrated to Muster's schema, dropped on close. Not thread-safe: set up and torn down by JMH.
 */
final class BenchDatabase implements AutoCloseable {

    static final String DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres";

    private final FleetDatabase scratch;
    private final Vertx vertx;
    private final Database database;

    private BenchDatabase(FleetDatabase scratch, Vertx vertx, Database database) {
        this.scratch = scratch;
        this.vertx = vertx;
        this.database = database;
    }

    static BenchDatabase open() throws Exception {
        String server = System.getenv().getOrDefault("MUSTER_BENCH_DB_URL", DEFAULT_SERVER);
        FleetDatabase scratch = FleetDatabase.scratch(server, Clock.systemUTC());
        Vertx vertx = Vertx.vertx();
        try {
            return new BenchDatabase(scratch, vertx, await(Database.open(vertx, scratch.url())));
        } catch (Exception e) {
            vertx.close();
            scratch.close();
            throw e;
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    Vertx vertx() {
        return vertx;
    }

    Database database() {
        return database;
    }

    FleetDatabase scratch() {
        return scratch;
    }

    @Override
    public void close() throws Exception {
        try {
            await(database.close());
            await(vertx.close());
        } finally {
            scratch.close();
        }
    }
}
