package io.muster.controller.task;

import io.muster.testdb.TestDatabase;
import io.muster.controller.store.Await;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;

/** Test fixture: hosts written straight into the tables, and counts read back from them. */
final class TaskTables {

    private final TestDatabase database;
    private final Pool pool;

    TaskTables(TestDatabase database, Pool pool) {
        this.database = database;
        this.pool = pool;
    }

    /** Hosts {@code prefix-0..n-1}, online, labelled role=web for even and role=db for odd indexes. */
    void hosts(String prefix, int n) {
        database.execute("INSERT INTO hosts (id, hostname, labels, facts, state, last_seen) SELECT '" + prefix
                + "-' || i, 'host-' || i, jsonb_build_object('role', CASE WHEN i % 2 = 0 THEN 'web' ELSE 'db' END),"
                + " jsonb_build_object('hostname', 'host-' || i), 'online', now() FROM generate_series(0, " + (n - 1)
                + ") i");
    }

    long count(String sql, Object... params) {
        Row row = Await.result(pool.preparedQuery(sql).execute(Tuple.from(params))).iterator().next();
        return row.getLong(0);
    }

    long tasks() {
        return count("SELECT count(*) FROM tasks");
    }

    long runs() {
        return count("SELECT count(*) FROM runs");
    }

    Map<String, Long> runStates() {
        Map<String, Long> states = new HashMap<>();
        for (Row row : Await.result(pool.query("SELECT state, count(*) FROM runs GROUP BY state").execute())) {
            states.put(row.getString(0), row.getLong(1));
        }
        return states;
    }

    Row run(java.util.UUID runId) {
        return Await.result(pool.preparedQuery("SELECT * FROM runs WHERE id = $1").execute(Tuple.of(runId)))
                .iterator().next();
    }
}
