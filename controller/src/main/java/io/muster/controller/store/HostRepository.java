package io.muster.controller.store;

import io.micrometer.core.instrument.MeterRegistry;
import io.muster.proto.inventory.InventoryDeltas;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.InventoryDelta;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SqlFragment;
import io.muster.scheduler.selector.SqlSelector;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The hosts aggregate in PostgreSQL: liveness (connect, heartbeat, disconnect), inventory,
 * labels and events.
 *
 * <p>Threading: every method may be called from any thread and never blocks; futures complete on
 * Vert.x context threads. Hot paths are batched: {@link #connected} joins a {@link ConnectBatcher}
 * batch (one statement per ~20 ms or 1,000 hosts); {@link #seen} and {@link #disconnected} only
 * touch memory and are written by the {@link LastSeenFlusher} every flush interval.
 *
 * <p>Guarantees: a completed {@code connected}, {@code saveInventory}, {@code applyDelta},
 * {@code setLabels} or {@code addEvent} is committed. Heartbeats and disconnects are durable after
 * the next flush (or {@link #flush()} / {@link #close()}). Per host, liveness events recorded by
 * one process are applied in the order they were recorded, whatever the order their batches land.
 */
public final class HostRepository {

    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(2);
    static final Duration CONNECT_BATCH_DELAY = Duration.ofMillis(20);
    static final int CONNECT_BATCH_ROWS = 1_000;
    public static final int MAX_PAGE = 1_000;

    private static final String HOST_COLUMNS =
            "id, hostname, state, lifecycle, last_seen, first_seen, agent_version, labels, facts, vitals, inventory_digest";

    // The inventory is bound as text and cast: a Java String bound to a jsonb parameter would be
    // stored as one JSON string, not as the object it spells.
    private static final String SAVE_INVENTORY = """
            UPDATE hosts
               SET inventory = $2::text::jsonb, inventory_digest = $3, facts = $4,
                   hostname = COALESCE($5, hostname), agent_version = COALESCE($6, agent_version),
                   updated_at = now()
             WHERE id = $1
            """;

    private final Database database;
    private final Pool pool;
    private final LivenessClock clock;
    private final ConnectBatcher connects;
    private final LastSeenFlusher liveness;

    private final PreparedQuery<RowSet<Row>> findQuery;
    private final PreparedQuery<RowSet<Row>> saveInventoryQuery;
    private final PreparedQuery<RowSet<Row>> setLabelsQuery;
    private final PreparedQuery<RowSet<Row>> markStaleQuery;
    private final PreparedQuery<RowSet<Row>> addEventQuery;
    private final PreparedQuery<RowSet<Row>> eventsQuery;

    /** A repository with the system clock and the default 2 s flush interval. */
    public HostRepository(Database database, MeterRegistry registry) {
        this(database, registry, Clock.systemUTC(), DEFAULT_FLUSH_INTERVAL);
    }

    /** Starts the periodic last-seen flush; stop it with {@link #close()}. */
    public HostRepository(Database database, MeterRegistry registry, Clock clock, Duration flushInterval) {
        this.database = database;
        this.pool = database.pool();
        this.clock = new LivenessClock(clock);
        this.connects = new ConnectBatcher(database.vertx(), pool, registry, CONNECT_BATCH_DELAY, CONNECT_BATCH_ROWS);
        this.liveness = new LastSeenFlusher(database.vertx(), pool, registry);
        this.findQuery = pool.preparedQuery("SELECT " + HOST_COLUMNS + ", inventory::text AS inventory FROM hosts WHERE id = $1");
        this.saveInventoryQuery = pool.preparedQuery(SAVE_INVENTORY);
        this.setLabelsQuery = pool.preparedQuery("UPDATE hosts SET labels = $2, updated_at = now() WHERE id = $1");
        // Rows locked in id order like every other multi-row writer of hosts (the batched connects
        // and last-seen flushes): a plain UPDATE locks in scan order and deadlocked with them (40P01,
        // 13 times in the 1-hour soak at 20,000 agents). FOR UPDATE re-checks the condition on the
        // row it waited for, so a host that heartbeated meanwhile is left online.
        this.markStaleQuery = pool.preparedQuery("""
                UPDATE hosts h SET state = 'offline', updated_at = now()
                  FROM (SELECT id FROM hosts WHERE state = 'online' AND last_seen < $1
                         ORDER BY id FOR UPDATE) stale
                 WHERE h.id = stale.id
                """);
        this.addEventQuery = pool.preparedQuery("""
                INSERT INTO host_events (host_id, kind, message, detail, actor, at) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT DO NOTHING
                """);
        // One round trip: no row at all means the host is unknown; a row of NULLs, no events.
        this.eventsQuery = pool.preparedQuery("""
                SELECT e.id, h.id AS host_id, e.kind, e.message, e.detail, e.actor, e.at
                  FROM hosts h
                  LEFT JOIN LATERAL (
                        SELECT id, kind, message, detail, actor, at FROM host_events
                         WHERE host_id = h.id AND id < $2 ORDER BY id DESC LIMIT $3) e ON TRUE
                 WHERE h.id = $1
                 ORDER BY e.id DESC
                """);
        liveness.start(flushInterval);
    }

    /**
     * Records that the host opened a session: upserts it online (first_seen on insert) and
     * completes with the STORED inventory digest (null when the controller has none).
     */
    public Future<String> connected(String hostId, String hostname, String agentVersion, String bootId) {
        Objects.requireNonNull(hostId, "hostId");
        return connects.submit(new ConnectBatcher.Connect(hostId, hostname, agentVersion, bootId, clock.next()));
    }

    /** Records a heartbeat in memory; written by the next flush. No I/O. */
    public void seen(String hostId) {
        seen(hostId, null);
    }

    /** Records a heartbeat and the vitals it carried (null: none) in memory; written by the next flush. No I/O. */
    public void seen(String hostId, Vitals vitals) {
        liveness.seen(hostId, clock.next(), vitals);
    }

    /** Records that the host's session ended; written (state offline) by the next flush. No I/O. */
    public void disconnected(String hostId) {
        liveness.disconnected(hostId, clock.next());
    }

    /** Writes pending connects, heartbeats and disconnects now; completes when they are committed. */
    public Future<Void> flush() {
        return connects.flush().compose(x -> liveness.flush()).mapEmpty();
    }

    /** The flusher of heartbeats and disconnects (its metrics and pending count). */
    public LastSeenFlusher lastSeenFlusher() {
        return liveness;
    }

    /**
     * Stores a full inventory snapshot: the inventory, its digest, its facts as native JSON
     * values, and the host name from the "hostname" fact. Fails with {@link HostNotFoundException}
     * when the host never connected.
     */
    public Future<Void> saveInventory(String hostId, Inventory inventory) {
        return saveInventoryQuery.execute(inventoryTuple(hostId, inventory))
                .compose(rows -> rows.rowCount() == 1 ? Future.<Void>succeededFuture() : Future.failedFuture(new HostNotFoundException(hostId)));
    }

    /**
     * Applies a delta in one transaction if the stored digest equals its base digest. Completes
     * with false, changing nothing, when it does not (or the host has no inventory): the caller
     * then asks the agent for a full snapshot.
     */
    public Future<Boolean> applyDelta(String hostId, InventoryDelta delta) {
        return pool.withTransaction(conn -> conn
                .preparedQuery("SELECT inventory::text AS inventory, inventory_digest FROM hosts WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(hostId))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(false);
                    }
                    Row row = rows.iterator().next();
                    String stored = row.getString("inventory");
                    if (stored == null || !delta.getBaseDigest().equals(row.getString("inventory_digest"))) {
                        return Future.succeededFuture(false);
                    }
                    Inventory next = InventoryDeltas.apply(InventoryJson.fromJson(stored), delta);
                    return write(conn, hostId, next).map(true);
                }));
    }

    private Future<Void> write(SqlConnection conn, String hostId, Inventory inventory) {
        return conn.preparedQuery(SAVE_INVENTORY)
                .execute(inventoryTuple(hostId, inventory))
                .mapEmpty();
    }

    private static Tuple inventoryTuple(String hostId, Inventory inventory) {
        String agentVersion = inventory.getAgentVersion().isEmpty() ? null : inventory.getAgentVersion();
        return Tuple.of(hostId, InventoryJson.toJson(inventory), inventory.getDigest(),
                InventoryJson.facts(inventory.getFactsMap()), InventoryJson.hostname(inventory), agentVersion);
    }

    /** The host with its inventory, or empty when unknown. */
    public Future<Optional<HostRecord>> find(String id) {
        return findQuery.execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(host(rows.iterator().next(), true)));
    }

    /**
     * One page of hosts in id order (without inventories).
     *
     * @param selector null or empty for all hosts
     * @param limit    1..{@value #MAX_PAGE}
     * @param cursor   null for the first page, else the {@code next} of the previous page; an
     *                 invalid one fails with {@link InvalidCursorException}
     */
    public Future<HostPage> list(Selector selector, int limit, String cursor) {
        return list(selector, HostSort.ID, limit, cursor);
    }

    /**
     * One page of hosts in {@code sort}'s order (without inventories), by keyset: the cursor
     * carries the sort, the last host's sort value and id, so a page is one indexed or top-N
     * query however deep, and hosts changing between pages are neither repeated nor skipped
     * unless their sort value moved across the cursor.
     *
     * @param cursor null for the first page, else the {@code next} of the previous page with the
     *               same sort; another sort's cursor fails with {@link InvalidCursorException}
     */
    public Future<HostPage> list(Selector selector, HostSort sort, int limit, String cursor) {
        if (!sort.natural()) {
            return sortedList(selector, sort, limit, cursor);
        }
        if (limit < 1 || limit > MAX_PAGE) {
            return Future.failedFuture(new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", got " + limit));
        }
        String after;
        try {
            after = PageCursor.decode(PageCursor.HOSTS, cursor);
        } catch (InvalidCursorException e) {
            return Future.failedFuture(e);
        }
        SqlFragment where = SqlSelector.where(selector == null ? Selector.all() : selector, "labels", List.of("facts", "vitals"), 3);
        String sql = "SELECT " + HOST_COLUMNS + ", NULL::text AS inventory FROM hosts"
                + " WHERE ($1::text IS NULL OR id > $1) AND " + where.sql()
                + " ORDER BY id LIMIT $2";
        List<Object> params = new ArrayList<>(2 + where.params().size());
        params.add(after);
        params.add(limit + 1);
        params.addAll(where.params());
        return pool.preparedQuery(sql).execute(Tuple.wrap(params)).map(rows -> {
            List<HostRecord> items = new ArrayList<>(Math.min(rows.size(), limit));
            boolean more = false;
            for (Row row : rows) {
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(host(row, false));
            }
            String next = more ? PageCursor.encode(PageCursor.HOSTS, items.get(items.size() - 1).id()) : null;
            return new HostPage(items, next);
        });
    }

    private Future<HostPage> sortedList(Selector selector, HostSort sort, int limit, String cursor) {
        if (limit < 1 || limit > MAX_PAGE) {
            return Future.failedFuture(new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", got " + limit));
        }
        JsonObject after;
        try {
            after = sortedCursor(sort, cursor);
        } catch (InvalidCursorException e) {
            return Future.failedFuture(e);
        }
        List<Object> params = new ArrayList<>();
        String value = sort.expression();
        if (sort.factKey() != null) {
            params.add(sort.factKey());
            value = value.replace("$K", "$1");
        }
        String dir = sort.descending() ? "DESC" : "ASC";
        String cmp = sort.descending() ? "<" : ">";
        StringBuilder sql = new StringBuilder("SELECT ").append(HOST_COLUMNS)
                .append(", NULL::text AS inventory, (").append(value).append(")::text AS sort_value FROM hosts WHERE ");
        if (after != null) {
            params.add(after.getString("id"));
            int id = params.size();
            if (after.getString("v") == null) {
                // Within the hosts without a value, which come last: only ids remain to order by.
                sql.append("(").append(value).append(") IS NULL AND id ").append(cmp).append(" $").append(id);
            } else {
                params.add(after.getString("v"));
                String bound = "$" + params.size() + "::text::" + sort.sqlType();
                sql.append("((").append(value).append(") IS NULL OR (").append(value).append(") ").append(cmp).append(' ')
                        .append(bound).append(" OR ((").append(value).append(") = ").append(bound)
                        .append(" AND id ").append(cmp).append(" $").append(id).append("))");
            }
            sql.append(" AND ");
        }
        params.add(limit + 1);
        int limitParam = params.size();
        SqlFragment where = SqlSelector.where(selector == null ? Selector.all() : selector, "labels", List.of("facts", "vitals"), params.size() + 1);
        params.addAll(where.params());
        sql.append(where.sql()).append(" ORDER BY (").append(value).append(") IS NULL, (").append(value).append(") ")
                .append(dir).append(", id ").append(dir).append(" LIMIT $").append(limitParam);
        return pool.preparedQuery(sql.toString()).execute(Tuple.wrap(params)).map(rows -> {
            List<HostRecord> items = new ArrayList<>(Math.min(rows.size(), limit));
            String lastValue = null;
            boolean more = false;
            for (Row row : rows) {
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(host(row, false));
                lastValue = row.getString("sort_value");
            }
            String next = null;
            if (more) {
                JsonObject position = new JsonObject().put("s", sort.text()).put("v", lastValue)
                        .put("id", items.get(items.size() - 1).id());
                next = PageCursor.encode(PageCursor.SORTED_HOSTS, position.encode());
            }
            return new HostPage(items, next);
        });
    }

    private static JsonObject sortedCursor(HostSort sort, String cursor) {
        String text = PageCursor.decode(PageCursor.SORTED_HOSTS, cursor);
        if (text == null) {
            return null;
        }
        JsonObject position;
        try {
            position = new JsonObject(text);
        } catch (RuntimeException e) {
            throw new InvalidCursorException("cursor '" + cursor + "' is not a cursor this API returned");
        }
        if (!(position.getValue("id") instanceof String) || !(position.getValue("v") == null || position.getValue("v") instanceof String)) {
            throw new InvalidCursorException("cursor '" + cursor + "' is not a cursor this API returned");
        }
        if (!sort.text().equals(position.getString("s"))) {
            throw new InvalidCursorException("cursor '" + cursor + "' continues the listing sorted by '"
                    + position.getString("s") + "', not by '" + sort.text() + "'; omit it for the first page");
        }
        return position;
    }

    /** Replaces the host's labels. Fails with {@link HostNotFoundException} when unknown. */
    public Future<Void> setLabels(String id, Map<String, String> labels) {
        JsonObject json = new JsonObject();
        labels.forEach(json::put);
        return setLabelsQuery.execute(Tuple.of(id, json))
                .compose(rows -> rows.rowCount() == 1 ? Future.<Void>succeededFuture() : Future.failedFuture(new HostNotFoundException(id)));
    }

    /**
     * Marks offline every online host whose last heartbeat is older than {@code silence}; pending
     * heartbeats of this process are flushed first so they count. Completes with the number of
     * hosts marked. {@code silence} must be longer than the flush interval of every member.
     */
    public Future<Integer> markStaleOffline(Duration silence) {
        OffsetDateTime threshold = clock.now().minus(silence);
        return liveness.flush()
                .compose(x -> Deadlocks.retry(() -> markStaleQuery.execute(Tuple.of(threshold))))
                .map(RowSet::rowCount);
    }

    /**
     * Appends an event to the host's history. Fails with {@link HostNotFoundException} when
     * unknown. Idempotent where a unique index says so (an agent's resent event with the same
     * detail.eventId): the repeat is a no-op, not a failure.
     */
    public Future<Void> addEvent(String hostId, String kind, String message, JsonObject detail, String actor) {
        Objects.requireNonNull(kind, "kind");
        return addEventQuery.execute(Tuple.of(hostId, kind, message == null ? "" : message, detail, actor, clock.now()))
                .<Void>mapEmpty()
                .recover(e -> Future.failedFuture(isForeignKeyViolation(e) ? new HostNotFoundException(hostId) : e));
    }

    /**
     * One page of the host's events, newest first. Fails with {@link HostNotFoundException} when
     * the host is unknown, {@link InvalidCursorException} for a bad cursor.
     */
    public Future<EventPage> events(String hostId, int limit, String cursor) {
        if (limit < 1 || limit > MAX_PAGE) {
            return Future.failedFuture(new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", got " + limit));
        }
        long before;
        try {
            before = cursor == null ? Long.MAX_VALUE : PageCursor.decodeLong(PageCursor.EVENTS, cursor);
        } catch (InvalidCursorException e) {
            return Future.failedFuture(e);
        }
        return eventsQuery.execute(Tuple.of(hostId, before, limit + 1)).compose(rows -> {
            if (rows.size() == 0) {
                return Future.failedFuture(new HostNotFoundException(hostId));
            }
            List<HostEvent> items = new ArrayList<>();
            boolean more = false;
            for (Row row : rows) {
                if (row.getLong("id") == null) {
                    break;
                }
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(new HostEvent(row.getLong("id"), row.getString("host_id"), row.getString("kind"),
                        row.getString("message"), (JsonObject) row.getValue("detail"), row.getString("actor"),
                        instant(row.getOffsetDateTime("at"))));
            }
            String next = more ? PageCursor.encode(PageCursor.EVENTS, Long.toString(items.get(items.size() - 1).id())) : null;
            return Future.succeededFuture(new EventPage(items, next));
        });
    }

    /** Completes when the database answers. */
    public Future<Void> ping() {
        return database.ping();
    }

    /** Stops the periodic flush and writes everything pending. Does not close the database. */
    public Future<Void> close() {
        return connects.flush().compose(x -> liveness.stop()).mapEmpty();
    }

    private static HostRecord host(Row row, boolean withInventory) {
        JsonObject labelsJson = row.getJsonObject("labels");
        Map<String, String> labels = new LinkedHashMap<>();
        labelsJson.forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        Map<String, Object> facts = new LinkedHashMap<>();
        row.getJsonObject("facts").forEach(e -> {
            if (e.getValue() != null) {
                facts.put(e.getKey(), e.getValue());
            }
        });
        JsonObject vitalsJson = row.getJsonObject("vitals");
        Map<String, Object> vitals = vitalsJson == null ? Map.of() : new LinkedHashMap<>(vitalsJson.getMap());
        String inventory = withInventory ? row.getString("inventory") : null;
        return new HostRecord(
                row.getString("id"),
                row.getString("hostname"),
                row.getString("state"),
                row.getString("lifecycle"),
                instant(row.getOffsetDateTime("last_seen")),
                instant(row.getOffsetDateTime("first_seen")),
                row.getString("agent_version"),
                labels,
                facts,
                vitals,
                inventory == null ? null : new JsonObject(inventory),
                row.getString("inventory_digest"));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static boolean isForeignKeyViolation(Throwable e) {
        return e instanceof PgException pg && "23503".equals(pg.getSqlState());
    }
}
