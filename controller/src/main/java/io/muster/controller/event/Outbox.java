package io.muster.controller.event;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The outbox table: rows are written by database triggers in the transaction of each change
 * (migration V13_1); this class reads them for the relay and the event stream, records how far
 * each partition is published, and deletes published rows past their retention.
 *
 * <p>Order and completeness: rows are read in (tx, id) order and only below the oldest
 * transaction still running. A row's tx is an order key written by {@code outbox_tx(subject)}
 * (migration V17_5): never below its own transaction's id, so no row can later appear below a
 * position once read past it and neither the relay nor a stream reader skips a row that
 * committed late; and never below the tx of an event of the same subject committed before it,
 * so per subject this is the order of the row locks its writers take (docs/events.md).
 *
 * <p>Threading: every method may be called from any thread and never blocks.
 */
public final class Outbox {

    /** Relay partitions; must match {@code outbox_partition()} in the migration. */
    public static final int PARTITIONS = 64;

    private static final String COLUMNS = "o.id, o.tx, o.partition, o.type, o.subject, o.host_id, o.data::text AS data, o.at";
    private static final String HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint";

    private final Pool pool;
    private final PreparedQuery<RowSet<Row>> unpublished;
    private final PreparedQuery<RowSet<Row>> advance;
    private final PreparedQuery<RowSet<Row>> expire;
    private final PreparedQuery<RowSet<Row>> horizon;

    public Outbox(Pool pool) {
        this.pool = pool;
        this.unpublished = pool.preparedQuery("SELECT " + COLUMNS + " FROM outbox_positions p"
                + " CROSS JOIN LATERAL (SELECT * FROM outbox o WHERE o.partition = p.partition"
                + " AND (o.tx, o.id) > (p.tx, p.id) AND o.tx < " + HORIZON
                + " ORDER BY o.tx, o.id LIMIT $2) o"
                + " WHERE p.partition = ANY ($1::smallint[])"
                + " ORDER BY o.partition, o.tx, o.id");
        // Monotonic: a member that lost the partition mid-batch cannot move it back.
        this.advance = pool.preparedQuery("UPDATE outbox_positions p SET tx = v.tx, id = v.id, published_at = now()"
                + " FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS v(partition, tx, id)"
                + " WHERE p.partition = v.partition AND (p.tx, p.id) < (v.tx, v.id)");
        this.expire = pool.preparedQuery("DELETE FROM outbox o USING outbox_positions p"
                + " WHERE o.partition = p.partition AND p.partition = ANY ($1::smallint[])"
                + " AND (o.tx, o.id) <= (p.tx, p.id) AND o.at < $2");
        this.horizon = pool.preparedQuery("SELECT " + HORIZON + " AS tx");
    }

    /**
     * Up to {@code perPartition} unpublished events of each given partition, ordered by
     * partition, then publication order.
     */
    public Future<List<FleetEvent>> unpublished(Collection<Integer> partitions, int perPartition) {
        Short[] ids = partitions.stream().map(Integer::shortValue).toArray(Short[]::new);
        return unpublished.execute(Tuple.of(ids, perPartition)).map(Outbox::events);
    }

    /** Records that every event up to each given one (same partition) was published. */
    public Future<Void> published(Collection<FleetEvent> lastOfEachPartition) {
        int n = lastOfEachPartition.size();
        Short[] partitions = new Short[n];
        Long[] txs = new Long[n];
        Long[] ids = new Long[n];
        int i = 0;
        for (FleetEvent event : lastOfEachPartition) {
            partitions[i] = (short) event.partition();
            txs[i] = event.tx();
            ids[i] = event.id();
            i++;
        }
        return advance.execute(Tuple.of(partitions, txs, ids)).mapEmpty();
    }

    /** Deletes published events of these partitions committed before {@code before}; completes with the count. */
    public Future<Integer> expire(Collection<Integer> partitions, Instant before) {
        Short[] ids = partitions.stream().map(Integer::shortValue).toArray(Short[]::new);
        return expire.execute(Tuple.of(ids, OffsetDateTime.ofInstant(before, ZoneOffset.UTC))).map(RowSet::rowCount);
    }

    /** The position a stream starts at to see only events committed from now on. */
    public Future<StreamPosition> now() {
        return horizon.execute().map(rows -> new StreamPosition(rows.iterator().next().getLong("tx"), 0));
    }

    /**
     * The newest position the retention deleted (migration V17_3 keeps it): a stream resuming
     * below it has lost the events between its position and this one.
     */
    public Future<StreamPosition> expiredThrough() {
        return pool.query("SELECT tx, id FROM outbox_expired").execute().map(rows -> {
            Row row = rows.iterator().next();
            return new StreamPosition(row.getLong("tx"), row.getLong("id"));
        });
    }

    /**
     * Up to {@code limit} events after {@code from} in publication order (every partition),
     * optionally only of hosts matching a selector's SQL ({@code hostFilter} is a condition on
     * {@code h} = the event's host row, with parameters from $3 on; events without a host are then
     * left out).
     */
    public Future<List<FleetEvent>> after(StreamPosition from, int limit, String hostFilter, List<Object> filterParams) {
        String sql = "SELECT " + COLUMNS + " FROM outbox o"
                + (hostFilter == null ? "" : " JOIN hosts h ON h.id = o.host_id AND " + hostFilter)
                + " WHERE (o.tx, o.id) > ($1, $2) AND o.tx < " + HORIZON
                + " ORDER BY o.tx, o.id LIMIT " + limit;
        List<Object> params = new ArrayList<>();
        params.add(from.tx());
        params.add(from.id());
        params.addAll(filterParams);
        return pool.preparedQuery(sql).execute(Tuple.wrap(params)).map(Outbox::events);
    }

    private static List<FleetEvent> events(RowSet<Row> rows) {
        List<FleetEvent> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            events.add(new FleetEvent(row.getLong("id"), row.getLong("tx"), row.getShort("partition"),
                    row.getString("type"), row.getString("subject"), row.getString("host_id"),
                    new JsonObject(row.getString("data")), row.getOffsetDateTime("at").toInstant()));
        }
        return events;
    }
}
