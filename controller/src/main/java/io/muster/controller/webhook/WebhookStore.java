package io.muster.controller.webhook;

import io.muster.controller.sealing.SealedColumns;
import io.muster.controller.sealing.SealingKey;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SqlFragment;
import io.muster.scheduler.selector.SqlSelector;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Webhooks and their delivery queue in PostgreSQL. Every method may be called from any thread
 * and never blocks.
 */
public final class WebhookStore {

    public static final int MAX_PAGE = 1_000;
    private static final String WEBHOOK_COLUMNS = "id, url, types, selector, secret, created_by, created_at";
    private static final String DELIVERY_COLUMNS = "id, webhook_id, event_id, event_type, body, state, attempts,"
            + " last_status, last_error, next_attempt_at, created_at, finished_at";

    private final Pool pool;
    private final SealingKey key;

    /** @param key seals each webhook's signing secret as it is written and opens it when read */
    public WebhookStore(Pool pool, SealingKey key) {
        this.pool = pool;
        this.key = key;
    }

    public Future<Webhook> create(String url, List<String> types, Selector selector, String secret, String createdBy) {
        UUID id = UUID.randomUUID();
        return pool.preparedQuery("INSERT INTO webhooks (id, url, types, selector, secret, created_by) VALUES"
                        + " ($1, $2, $3, $4, $5, $6) RETURNING " + WEBHOOK_COLUMNS)
                .execute(Tuple.of(id, url, types.toArray(String[]::new), selector == null ? null : selector.toString(),
                        key.seal(secret, SealedColumns.webhookSecret(id)), createdBy))
                .map(rows -> webhook(rows.iterator().next()));
    }

    public Future<List<Webhook>> list() {
        return pool.query("SELECT " + WEBHOOK_COLUMNS + " FROM webhooks ORDER BY created_at, id").execute()
                .map(rows -> {
                    List<Webhook> hooks = new ArrayList<>(rows.size());
                    rows.forEach(row -> hooks.add(webhook(row)));
                    return hooks;
                });
    }

    public Future<Optional<Webhook>> find(UUID id) {
        return pool.preparedQuery("SELECT " + WEBHOOK_COLUMNS + " FROM webhooks WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(webhook(rows.iterator().next())));
    }

    /** Deletes the webhook and its queue; false when unknown. */
    public Future<Boolean> delete(UUID id) {
        return pool.preparedQuery("DELETE FROM webhooks WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** Of these hosts, the ones matching the selector. */
    public Future<Set<String>> matching(Selector selector, Collection<String> hostIds) {
        SqlFragment where = SqlSelector.where(selector, "labels", "facts", 2);
        List<Object> params = new ArrayList<>();
        params.add(hostIds.toArray(String[]::new));
        params.addAll(where.params());
        return pool.preparedQuery("SELECT id FROM hosts WHERE id = ANY ($1::text[]) AND " + where.sql())
                .execute(Tuple.wrap(params))
                .map(rows -> {
                    Set<String> ids = new HashSet<>();
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                });
    }

    /** Queues deliveries (parallel lists); an event already queued for a webhook is skipped. */
    public Future<Void> enqueue(List<UUID> webhooks, List<Long> eventIds, List<String> types, List<String> bodies) {
        if (webhooks.isEmpty()) {
            return Future.succeededFuture();
        }
        return pool.preparedQuery("INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, body)"
                        + " SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[])"
                        + " ON CONFLICT (webhook_id, event_id) DO NOTHING")
                .execute(Tuple.of(webhooks.toArray(UUID[]::new), eventIds.toArray(Long[]::new),
                        types.toArray(String[]::new), bodies.toArray(String[]::new)))
                .mapEmpty();
    }

    /** The oldest pending delivery of the webhook, due or not. */
    public Future<Optional<Delivery>> nextPending(UUID webhookId) {
        return pool.preparedQuery("SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries"
                        + " WHERE webhook_id = $1 AND state = 'pending' ORDER BY id LIMIT 1")
                .execute(Tuple.of(webhookId))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(delivery(rows.iterator().next())));
    }

    public Future<Void> delivered(long id, int status) {
        return pool.preparedQuery("UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1,"
                        + " last_status = $2, last_error = NULL, finished_at = now() WHERE id = $1 AND state = 'pending'")
                .execute(Tuple.of(id, status)).mapEmpty();
    }

    /** Records a failed attempt: retried at {@code retryAt}, or parked when that is null. */
    public Future<Void> failed(long id, Integer status, String error, Instant retryAt) {
        return pool.preparedQuery("UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3,"
                        + " state = CASE WHEN $4::timestamptz IS NULL THEN 'parked' ELSE 'pending' END,"
                        + " next_attempt_at = coalesce($4, next_attempt_at),"
                        + " finished_at = CASE WHEN $4::timestamptz IS NULL THEN now() END"
                        + " WHERE id = $1 AND state = 'pending'")
                .execute(Tuple.of(id, status, error, retryAt == null ? null : OffsetDateTime.ofInstant(retryAt, ZoneOffset.UTC)))
                .mapEmpty();
    }

    /**
     * One page of a webhook's deliveries, newest first.
     *
     * @param state  pending, delivered, parked, or null for all
     * @param before id cursor (exclusive) or null
     */
    public Future<List<Delivery>> deliveries(UUID webhookId, String state, Long before, int limit) {
        return pool.preparedQuery("SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE webhook_id = $1"
                        + " AND ($2::text IS NULL OR state = $2) AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4")
                .execute(Tuple.of(webhookId, state, before, limit))
                .map(rows -> {
                    List<Delivery> items = new ArrayList<>(rows.size());
                    rows.forEach(row -> items.add(delivery(row)));
                    return items;
                });
    }

    /** Deletes delivered and parked deliveries finished before {@code before}. */
    public Future<Integer> expire(Instant before) {
        return pool.preparedQuery("DELETE FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < $1")
                .execute(Tuple.of(OffsetDateTime.ofInstant(before, ZoneOffset.UTC))).map(RowSet::rowCount);
    }

    private Webhook webhook(Row row) {
        String[] types = row.getArrayOfStrings("types");
        UUID id = row.getUUID("id");
        return new Webhook(id, row.getString("url"), types == null ? List.of() : Arrays.asList(types),
                row.getString("selector"), key.open(row.getString("secret"), SealedColumns.webhookSecret(id)), row.getString("created_by"),
                row.getOffsetDateTime("created_at").toInstant());
    }

    private static Delivery delivery(Row row) {
        OffsetDateTime finished = row.getOffsetDateTime("finished_at");
        return new Delivery(row.getLong("id"), row.getUUID("webhook_id"), row.getLong("event_id"), row.getString("event_type"),
                row.getString("body"), row.getString("state"), row.getInteger("attempts"), row.getInteger("last_status"),
                row.getString("last_error"), row.getOffsetDateTime("next_attempt_at").toInstant(),
                row.getOffsetDateTime("created_at").toInstant(), finished == null ? null : finished.toInstant());
    }
}
