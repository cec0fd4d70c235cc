package io.muster.controller.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's PostgreSQL database: schema migrations (Flyway, run once at open on a worker
 * thread through JDBC) and the reactive connection pool every repository shares.
 *
 * <p>Thread safety: the pool may be used from any thread; its futures complete on Vert.x
 * context threads. {@link #open} never blocks the calling thread.
 */
public final class Database {

    private static final Logger log = LoggerFactory.getLogger(Database.class);
    static final int POOL_SIZE = 8;
    /** How long a starting member waits for an unreachable PostgreSQL to come back before it gives up. */
    public static final Duration START_WAIT = Duration.ofSeconds(30);

    private final Vertx vertx;
    private final Pool pool;
    private final DatabaseUrl url;

    private Database(Vertx vertx, Pool pool, DatabaseUrl url) {
        this.vertx = vertx;
        this.pool = pool;
        this.url = url;
    }

    /**
     * Migrates the schema, then opens the pool and checks that it answers.
     *
     * @param url postgresql://, postgres:// or jdbc:postgresql:// URL
     * @return fails with {@link DatabaseUnavailableException} (one sentence) when the server cannot
     *     be reached or migrated, or IllegalArgumentException when the URL is malformed
     */
    public static Future<Database> open(Vertx vertx, String url) {
        DatabaseUrl location;
        try {
            location = DatabaseUrl.parse(url);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        return vertx.executeBlocking(() -> migrate(location), false)
                .compose(ignored -> {
                    PgConnectOptions connect = location.connectOptions()
                            .setPipeliningLimit(PgConnectOptions.DEFAULT_PIPELINING_LIMIT)
                            .setCachePreparedStatements(true)
                            .setPreparedStatementCacheMaxSize(512);
                    Pool pool = PgBuilder.pool()
                            .with(new PoolOptions().setMaxSize(POOL_SIZE).setName("muster-store"))
                            .connectingTo(connect)
                            .using(vertx)
                            .build();
                    Database database = new Database(vertx, pool, location);
                    return database.ping()
                            .map(database)
                            .recover(e -> pool.close().transform(x -> Future.failedFuture(unavailable(location, e))));
                });
    }

    /**
     * Like {@link #open(Vertx, String)}, but while PostgreSQL is unreachable or still starting
     * (a restart during a deploy) it tries again with backoff (250 ms doubling to 4 s) until
     * {@code wait} has passed, then fails as {@code open} does. Any other failure fails at once.
     */
    public static Future<Database> open(Vertx vertx, String url, Duration wait) {
        return attempt(vertx, url, System.nanoTime() + wait.toNanos(), 250);
    }

    private static Future<Database> attempt(Vertx vertx, String url, long deadline, long delayMs) {
        return open(vertx, url).recover(e -> {
            if (!serverAway(e) || System.nanoTime() + delayMs * 1_000_000 > deadline) {
                return Future.failedFuture(e);
            }
            log.warn("PostgreSQL does not answer yet ({}); trying again in {} ms", EmbeddedDatabase.reason(e), delayMs);
            Promise<Database> next = Promise.promise();
            vertx.setTimer(delayMs, t -> attempt(vertx, url, deadline, Math.min(delayMs * 2, 4_000)).onComplete(next));
            return next.future();
        });
    }

    /** Connection refused or reset, or the server starting or shutting down (SQLSTATE 08, 57P). */
    static boolean serverAway(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
            String state = t instanceof SQLException sql ? sql.getSQLState()
                    : t instanceof PgException pg ? pg.getSqlState() : null;
            if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private static MigrateResult migrate(DatabaseUrl location) {
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(location.jdbcUrl(), location.user(), location.password())
                    .locations("classpath:db/migration")
                    .connectRetries(0)
                    .load()
                    .migrate();
            log.info("database {} at schema version {} ({} migration(s) applied)",
                    location.display(), result.targetSchemaVersion, result.migrationsExecuted);
            return result;
        } catch (RuntimeException e) {
            throw unavailable(location, e);
        }
    }

    private static DatabaseUnavailableException unavailable(DatabaseUrl location, Throwable e) {
        return new DatabaseUnavailableException("could not use the PostgreSQL database at " + location.display()
                + " (" + EmbeddedDatabase.reason(e) + "); check --db-url and that the server is running", e);
    }

    public Vertx vertx() {
        return vertx;
    }

    public Pool pool() {
        return pool;
    }

    public DatabaseUrl url() {
        return url;
    }

    /** Completes when the database answers a trivial query. */
    public Future<Void> ping() {
        return pool.query("SELECT 1").execute().mapEmpty();
    }

    /** Closes the pool; pending queries fail. */
    public Future<Void> close() {
        return pool.close();
    }
}
