package io.muster.controller.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.muster.testdb.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The order of one subject's events through the real relay and the stream reader, with real
 * concurrent transactions on PostgreSQL (two or three JDBC connections): PostgreSQL gives a
 * transaction its id at its first write, so a transaction that started writing first can take a
 * subject's row lock last. Its event must still come after the event of the transaction that held
 * the lock before it.
 */
class OutboxOrderTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static Vertx vertx;
    private static TestDatabase testDatabase;
    private static Database database;

    private final ExecutorService blocked = Executors.newSingleThreadExecutor();
    private final List<FleetEvent> relayed = new CopyOnWriteArrayList<>();
    private OutboxRelay relay;

    @BeforeAll
    static void openDatabase() {
        vertx = Vertx.vertx();
        testDatabase = TestDatabase.create();
        database = Await.result(Database.open(vertx, testDatabase.url()));
    }

    @AfterAll
    static void closeDatabase() {
        Await.result(database.close());
        Await.result(vertx.close());
        testDatabase.close();
    }

    @BeforeEach
    void emptyTables() {
        testDatabase.execute("TRUNCATE hosts, tasks, outbox CASCADE");
        testDatabase.execute("UPDATE outbox_positions SET tx = 0, id = 0, published_at = NULL");
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        blocked.shutdownNow();
    }

    @Test
    void a_host_event_comes_after_the_event_of_the_transaction_that_held_the_host_row_before() throws Exception {
        testDatabase.execute("INSERT INTO hosts (id, hostname, state) VALUES ('h', 'h', 'offline'), ('other', 'other', 'offline')");
        try (Connection a = transaction(); Connection b = transaction()) {
            // A writes first (a last-seen flush touching another host), so it has the smaller transaction id.
            update(a, "UPDATE hosts SET last_seen = now() WHERE id = 'other'");
            update(b, "UPDATE hosts SET state = 'online' WHERE id = 'h'");
            int aPid = pid(a);
            CompletableFuture<Void> aOffline = CompletableFuture.runAsync(
                    () -> update(a, "UPDATE hosts SET state = 'offline' WHERE id = 'h'"), blocked);
            awaitWaitingOnLock(aPid);
            b.commit();
            aOffline.get(10, TimeUnit.SECONDS);
            a.commit();
        }
        List<String> expected = List.of("host.registered", "host.online", "host.offline");

        startRelay();
        await().atMost(DEADLINE).until(() -> typesOf(relayed, "h").size() == 3);
        assertThat(typesOf(relayed, "h")).containsExactlyElementsOf(expected);
        assertThat(typesOf(stream(), "h")).containsExactlyElementsOf(expected);
    }

    @Test
    void a_subject_event_below_the_horizon_waits_for_an_earlier_one_above_it() throws Exception {
        testDatabase.execute("INSERT INTO hosts (id, hostname, state) VALUES ('h', 'h', 'offline'), ('other', 'other', 'offline'),"
                + " ('third', 'third', 'offline')");
        startRelay();
        await().atMost(DEADLINE).until(() -> relayed.size() == 3);
        try (Connection late = transaction(); Connection open = transaction(); Connection first = transaction()) {
            // Transaction ids in this order: late < open < first.
            update(late, "UPDATE hosts SET last_seen = now() WHERE id = 'other'");
            update(open, "UPDATE hosts SET last_seen = now() WHERE id = 'third'");
            update(first, "UPDATE hosts SET state = 'online' WHERE id = 'h'");
            first.commit();
            update(late, "UPDATE hosts SET state = 'offline' WHERE id = 'h'");
            late.commit();
            // "open" keeps the horizon between late and first: first's event cannot be read yet,
            // so late's (which follows it on the host) must not be published either.
            relay.wake();
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(typesOf(relayed, "h")).containsExactly("host.registered"));
            open.commit();
        }
        await().atMost(DEADLINE).until(() -> typesOf(relayed, "h").size() == 3);
        assertThat(typesOf(relayed, "h")).containsExactly("host.registered", "host.online", "host.offline");
    }

    @Test
    void a_task_is_finished_after_every_run_even_when_its_last_runs_end_in_concurrent_batches() throws Exception {
        UUID task = UUID.randomUUID();
        UUID first = UUID.randomUUID();
        UUID last = UUID.randomUUID();
        testDatabase.execute("INSERT INTO hosts (id, hostname) VALUES ('other', 'other')");
        testDatabase.execute("INSERT INTO tasks (id, kind, spec, target, timeout_seconds, total) VALUES ('" + task
                + "', 'exec', '{}', '{}', 60, 2)");
        testDatabase.execute("INSERT INTO runs (id, task_id, host_id, state) VALUES ('" + first + "', '" + task
                + "', 'h1', 'running'), ('" + last + "', '" + task + "', 'h2', 'running')");
        try (Connection x = transaction(); Connection y = transaction()) {
            // Y (a result batch of another member) writes first: the smaller transaction id.
            update(y, "UPDATE hosts SET last_seen = now() WHERE id = 'other'");
            update(x, "UPDATE runs SET state = 'succeeded', exit_code = 0 WHERE id = '" + first + "'");
            int yPid = pid(y);
            // Y ends the other run, then waits for X's per-task lock to count the open runs.
            CompletableFuture<Void> yLast = CompletableFuture.runAsync(() -> update(y,
                    "UPDATE runs SET state = 'succeeded', exit_code = 0 WHERE id = '" + last + "'"), blocked);
            awaitWaitingOnLock(yPid);
            x.commit();
            yLast.get(10, TimeUnit.SECONDS);
            y.commit();
        }
        assertThat(testDatabase.count("SELECT count(*) FROM outbox WHERE type = 'task.finished'")).isEqualTo(1);

        startRelay();
        await().atMost(DEADLINE).until(() -> typesOf(relayed, task.toString()).size() == 4);
        List<String> expected = List.of("task.created", "run.finished", "run.finished", "task.finished");
        assertThat(typesOf(relayed, task.toString())).containsExactlyElementsOf(expected);
        assertThat(typesOf(stream(), task.toString())).containsExactlyElementsOf(expected);
    }

    private void startRelay() {
        EventSink recorder = new EventSink() {
            @Override
            public Future<Void> publish(List<FleetEvent> events) {
                relayed.addAll(events);
                return Future.succeededFuture();
            }

            @Override
            public void close() {
            }
        };
        List<Integer> all = IntStream.range(0, Outbox.PARTITIONS).boxed().toList();
        relay = new OutboxRelay(vertx, new Outbox(database.pool()), () -> all, List.of(recorder), Duration.ofMillis(50),
                500, Duration.ofHours(24), Clock.systemUTC(), new SimpleMeterRegistry());
    }

    /** Everything the stream reader (SSE) serves from the beginning. */
    private static List<FleetEvent> stream() {
        return Await.result(new Outbox(database.pool()).after(new StreamPosition(0, 0), 1000, null, List.of()));
    }

    private static List<String> typesOf(List<FleetEvent> events, String subject) {
        List<String> types = new ArrayList<>();
        for (FleetEvent event : events) {
            if (event.subject().equals(subject)) {
                types.add(event.type());
            }
        }
        return types;
    }

    private static Connection transaction() throws SQLException {
        Connection connection = testDatabase.connect();
        connection.setAutoCommit(false);
        return connection;
    }

    private static void update(Connection connection, String sql) {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
        }
    }

    private static int pid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Until the backend {@code pid} waits on a lock (a row lock or an advisory lock). */
    private static void awaitWaitingOnLock(int pid) {
        await().atMost(DEADLINE).until(() -> {
            try (Connection observer = testDatabase.connect();
                 PreparedStatement query = observer.prepareStatement(
                         "SELECT wait_event_type FROM pg_stat_activity WHERE pid = ?")) {
                query.setInt(1, pid);
                try (ResultSet rows = query.executeQuery()) {
                    return rows.next() && "Lock".equals(rows.getString(1));
                }
            }
        });
    }
}
