package io.muster.controller.history;

import io.muster.controller.store.HostNotFoundException;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SqlFragment;
import io.muster.scheduler.selector.SqlSelector;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Inventory history in PostgreSQL ({@code inventory_changes}, partitioned by day; written by a
 * trigger, migration V13_3). Pages go oldest first by id; {@code afterId} is the cursor. Every
 * method may be called from any thread and never blocks.
 */
public final class HistoryStore {

    /** Daily partitions created ahead of time. */
    static final int DAYS_AHEAD = 7;
    private static final String COLUMNS = "c.id, c.host_id, c.key, c.old_value, c.new_value, c.at";

    private final Pool pool;

    public HistoryStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * The changes of one host, optionally of one key, in [since, until). Fails with
     * {@link HostNotFoundException} when the host is unknown.
     */
    public Future<List<InventoryChange>> host(String hostId, Instant since, Instant until, String key, long afterId, int limit) {
        return pool.preparedQuery("SELECT h.id AS known, " + COLUMNS + " FROM hosts h LEFT JOIN LATERAL ("
                        + "SELECT * FROM inventory_changes c WHERE c.host_id = h.id AND c.id > $2"
                        + " AND ($3::timestamptz IS NULL OR c.at >= $3) AND ($4::timestamptz IS NULL OR c.at < $4)"
                        + " AND ($5::text IS NULL OR c.key = $5) ORDER BY c.id LIMIT $6) c ON TRUE WHERE h.id = $1 ORDER BY c.id")
                .execute(Tuple.of(hostId, afterId, time(since), time(until), key, limit))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(new HostNotFoundException(hostId));
                    }
                    List<InventoryChange> changes = new ArrayList<>();
                    for (Row row : rows) {
                        if (row.getLong("id") != null) {
                            changes.add(change(row));
                        }
                    }
                    return Future.succeededFuture(changes);
                });
    }

    /** Fleet-wide changes of hosts matching the selector (null: every host), optionally of one key. */
    public Future<List<InventoryChange>> fleet(Selector selector, Instant since, Instant until, String key, long afterId,
                                               int limit) {
        SqlFragment where = SqlSelector.where(selector == null ? Selector.all() : selector, "h.labels", List.of("h.facts", "h.vitals"), 6);
        List<Object> params = new ArrayList<>(List.of(afterId, limit));
        params.add(time(since));
        params.add(time(until));
        params.add(key);
        params.addAll(where.params());
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM inventory_changes c JOIN hosts h ON h.id = c.host_id"
                        + " WHERE c.id > $1 AND ($3::timestamptz IS NULL OR c.at >= $3)"
                        + " AND ($4::timestamptz IS NULL OR c.at < $4) AND ($5::text IS NULL OR c.key = $5) AND "
                        + where.sql() + " ORDER BY c.id LIMIT $2")
                .execute(Tuple.wrap(params))
                .map(HistoryStore::changes);
    }

    /** Creates the coming days' partitions and drops those past the retention. */
    public Future<Void> maintain(Duration retention) {
        return pool.preparedQuery("SELECT inventory_history_maintain($1, make_interval(secs => $2))")
                .execute(Tuple.of(DAYS_AHEAD, (double) retention.toSeconds()))
                .mapEmpty();
    }

    private static List<InventoryChange> changes(RowSet<Row> rows) {
        List<InventoryChange> changes = new ArrayList<>(rows.size());
        rows.forEach(row -> changes.add(change(row)));
        return changes;
    }

    private static InventoryChange change(Row row) {
        return new InventoryChange(row.getLong("id"), row.getString("host_id"), row.getString("key"),
                row.getValue("old_value"), row.getValue("new_value"), row.getOffsetDateTime("at").toInstant());
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
