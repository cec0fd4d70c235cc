package io.muster.controller.schedule;

import io.muster.controller.task.Cursors;
import io.muster.controller.task.Page;
import io.muster.scheduler.schedule.Firing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The schedules tables. A tick is claimed by inserting its (schedule_id, tick) row: of any number
 * of members trying, one inserts and the others change nothing. Thread-safe; never blocks.
 */
public final class ScheduleRepository {

    private static final String COLUMNS = "id, name, cron, timezone, action, request, concurrency_policy, catch_up, paused, "
            + "anchor, not_before, created_at, updated_at, created_by_token, created_by";
    private static final String INSERT = "INSERT INTO schedules (" + COLUMNS + ") "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14) RETURNING " + COLUMNS;
    private static final String UPDATE = "UPDATE schedules SET name = $2, cron = $3, timezone = $4, action = $5, request = $6, "
            + "concurrency_policy = $7, catch_up = $8, anchor = $9, not_before = $10, updated_at = $11 WHERE id = $1 "
            + "RETURNING " + COLUMNS;
    private static final String PAUSE = "UPDATE schedules SET paused = $2, updated_at = $3, "
            + "not_before = CASE WHEN $2 THEN not_before ELSE greatest(not_before, $3) END "
            + "WHERE id = $1 AND paused <> $2 RETURNING " + COLUMNS;
    // Schedules that may be due, with the latest tick handled.
    private static final String ACTIVE = "SELECT " + COLUMNS + ", (SELECT max(f.tick) FROM schedule_firings f "
            + "WHERE f.schedule_id = s.id) AS last_tick FROM schedules s WHERE NOT paused";
    private static final String CLAIM = "INSERT INTO schedule_firings (schedule_id, tick, outcome, task_id, rollout_id, "
            + "reason, created, fired_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING tick";
    // Earlier firings whose task still has runs to finish, or whose rollout can still start runs.
    private static final String STILL_GOING = "SELECT f.task_id, f.rollout_id FROM schedule_firings f WHERE f.schedule_id = $1 "
            + "AND f.outcome = 'fired' AND ("
            + "(f.task_id IS NOT NULL AND EXISTS (SELECT 1 FROM runs r WHERE r.task_id = f.task_id "
            + "AND r.state IN ('pending', 'running'))) OR "
            + "(f.rollout_id IS NOT NULL AND EXISTS (SELECT 1 FROM rollouts ro WHERE ro.id = f.rollout_id "
            + "AND ro.state IN ('running', 'waiting_approval', 'paused')))) ORDER BY f.tick DESC LIMIT 100";
    private static final String UNCREATED = "SELECT f.schedule_id, f.tick, f.task_id, f.rollout_id, "
            + "EXISTS (SELECT 1 FROM tasks t WHERE t.id = f.task_id) OR EXISTS (SELECT 1 FROM rollouts r WHERE r.id = f.rollout_id) "
            + "FROM schedule_firings f WHERE f.outcome = 'fired' AND NOT f.created";
    private static final String FIRINGS = "SELECT schedule_id, tick, outcome, task_id, rollout_id, reason, fired_by, fired_at "
            + "FROM schedule_firings WHERE schedule_id = $1 ORDER BY tick DESC LIMIT $2";

    private final Pool pool;

    public ScheduleRepository(Pool pool) {
        this.pool = pool;
    }

    /** @return the new row; fails with {@link ScheduleConflictException} when the name is taken */
    public Future<ScheduleRecord> insert(UUID id, ScheduleSpec spec, Instant now, String tokenId, String creator) {
        return pool.preparedQuery(INSERT).execute(Tuple.from(Arrays.asList(id, spec.name(), spec.cron(),
                        spec.timezone().getId(), spec.action().wireName(), spec.request(), spec.concurrencyPolicy().wireName(),
                        ScheduleSpec.wireName(spec.catchUp()), spec.paused(), at(now), at(now), at(now), tokenId, creator)))
                .map(rows -> record(rows.iterator().next()))
                .recover(e -> Future.failedFuture(nameTaken(e, spec.name())));
    }

    /** @param anchor the new anchor (and not-before) when the expression changed, else the old one */
    public Future<Optional<ScheduleRecord>> update(UUID id, ScheduleSpec spec, Instant anchor, Instant notBefore, Instant now) {
        return pool.preparedQuery(UPDATE).execute(Tuple.from(Arrays.asList(id, spec.name(), spec.cron(), spec.timezone().getId(),
                        spec.action().wireName(), spec.request(), spec.concurrencyPolicy().wireName(),
                        ScheduleSpec.wireName(spec.catchUp()), at(anchor), at(notBefore), at(now))))
                .map(rows -> rows.size() == 0 ? Optional.<ScheduleRecord>empty() : Optional.of(record(rows.iterator().next())))
                .recover(e -> Future.failedFuture(nameTaken(e, spec.name())));
    }

    /**
     * Pauses or resumes; a resume moves not-before to {@code now}, so ticks that passed while
     * paused never fire.
     *
     * @return empty when the schedule is unknown or already in that state
     */
    public Future<Optional<ScheduleRecord>> setPaused(UUID id, boolean paused, Instant now) {
        return pool.preparedQuery(PAUSE).execute(Tuple.of(id, paused, at(now)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(record(rows.iterator().next())));
    }

    /** @return whether it existed (its firings go with it; tasks and rollouts it created stay) */
    public Future<Boolean> delete(UUID id) {
        return pool.preparedQuery("DELETE FROM schedules WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() > 0);
    }

    public Future<Optional<ScheduleRecord>> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM schedules WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(record(rows.iterator().next())));
    }

    public Future<Page<ScheduleRecord>> list(int limit, String cursor) {
        Cursors.TaskPosition after;
        try {
            after = cursor == null ? null : Cursors.task(cursor);
        } catch (RuntimeException badCursor) {
            return Future.failedFuture(new InvalidScheduleException("cursor", badCursor.getMessage()));
        }
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM schedules WHERE ($1::timestamptz IS NULL OR "
                        + "(created_at, id) < ($1, $2::uuid)) ORDER BY created_at DESC, id DESC LIMIT $3")
                .execute(Tuple.of(after == null ? null : after.createdAt(), after == null ? null : after.id(), limit + 1))
                .map(rows -> {
                    List<ScheduleRecord> items = new ArrayList<>();
                    rows.forEach(row -> items.add(record(row)));
                    String next = null;
                    if (items.size() > limit) {
                        items.remove(limit);
                        ScheduleRecord last = items.get(limit - 1);
                        next = Cursors.task(at(last.createdAt()), last.id());
                    }
                    return new Page<>(items, next);
                });
    }

    /** The latest {@code limit} handled ticks of a schedule, newest first. */
    public Future<List<ScheduleFiring>> firings(UUID id, int limit) {
        return pool.preparedQuery(FIRINGS).execute(Tuple.of(id, limit)).map(rows -> {
            List<ScheduleFiring> firings = new ArrayList<>();
            rows.forEach(row -> firings.add(new ScheduleFiring(row.getUUID(0), row.getOffsetDateTime(1).toInstant(),
                    row.getString(2), row.getUUID(3), row.getUUID(4), row.getString(5), row.getString(6),
                    row.getOffsetDateTime(7).toInstant())));
            return firings;
        });
    }

    /** A schedule that is not paused, with the latest tick handled (null if none). */
    public record Active(ScheduleRecord schedule, Instant lastTick) {
    }

    public Future<List<Active>> active() {
        return pool.query(ACTIVE).execute().map(rows -> {
            List<Active> active = new ArrayList<>(rows.size());
            rows.forEach(row -> {
                OffsetDateTime last = row.getOffsetDateTime("last_tick");
                active.add(new Active(record(row), last == null ? null : last.toInstant()));
            });
            return active;
        });
    }

    /** Earlier firings of a schedule whose task or rollout is still going: [taskId, rolloutId] pairs. */
    public Future<List<UUID[]>> stillGoing(UUID scheduleId) {
        return pool.preparedQuery(STILL_GOING).execute(Tuple.of(scheduleId)).map(rows -> {
            List<UUID[]> going = new ArrayList<>();
            rows.forEach(row -> going.add(new UUID[] {row.getUUID(0), row.getUUID(1)}));
            return going;
        });
    }

    /**
     * Claims a tick: inserts its firing row unless any member handled that tick already.
     *
     * @return whether this call inserted it (only then may its task or rollout be created)
     */
    public Future<Boolean> claim(ScheduleFiring firing, boolean created) {
        return pool.preparedQuery(CLAIM).execute(Tuple.from(Arrays.asList(firing.scheduleId(), at(firing.tick()),
                        firing.outcome(), firing.taskId(), firing.rolloutId(), firing.reason(), created, firing.firedBy())))
                .map(rows -> rows.size() > 0);
    }

    /** A fired tick whose task or rollout was not marked created, and whether it exists by now. */
    public record Uncreated(UUID scheduleId, Instant tick, UUID taskId, UUID rolloutId, boolean exists) {
    }

    public Future<List<Uncreated>> uncreated() {
        return pool.query(UNCREATED).execute().map(rows -> {
            List<Uncreated> found = new ArrayList<>();
            rows.forEach(row -> found.add(new Uncreated(row.getUUID(0), row.getOffsetDateTime(1).toInstant(), row.getUUID(2),
                    row.getUUID(3), row.getBoolean(4))));
            return found;
        });
    }

    /** The fired tick's task or rollout exists; or, with a reason, it could not be created and never will. */
    public Future<Void> created(UUID scheduleId, Instant tick, String failure) {
        return pool.preparedQuery("UPDATE schedule_firings SET created = true, "
                        + "outcome = CASE WHEN $3::text IS NULL THEN outcome ELSE 'failed' END, reason = coalesce($3, reason) "
                        + "WHERE schedule_id = $1 AND tick = $2")
                .execute(Tuple.of(scheduleId, at(tick), failure)).mapEmpty();
    }

    private static Throwable nameTaken(Throwable e, String name) {
        if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            return new ScheduleConflictException("a schedule named '" + name + "' exists already");
        }
        return e;
    }

    private static OffsetDateTime at(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static ScheduleRecord record(Row row) {
        ScheduleSpec.Action action = ScheduleSpec.Action.valueOf(row.getString("action").toUpperCase(java.util.Locale.ROOT));
        ScheduleSpec spec = new ScheduleSpec(row.getString("name"), row.getString("cron"), ZoneId.of(row.getString("timezone")),
                action, (JsonObject) row.getValue("request"),
                ScheduleSpec.ConcurrencyPolicy.valueOf(row.getString("concurrency_policy").toUpperCase(java.util.Locale.ROOT)),
                Firing.CatchUp.valueOf(row.getString("catch_up").toUpperCase(java.util.Locale.ROOT)), row.getBoolean("paused"));
        return new ScheduleRecord(row.getUUID("id"), spec, row.getOffsetDateTime("anchor").toInstant(),
                row.getOffsetDateTime("not_before").toInstant(), row.getOffsetDateTime("created_at").toInstant(),
                row.getOffsetDateTime("updated_at").toInstant(), row.getString("created_by_token"), row.getString("created_by"));
    }
}
