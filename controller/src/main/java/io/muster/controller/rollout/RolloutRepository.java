package io.muster.controller.rollout;

import io.muster.controller.rollout.RecordedStep.StepKind;
import io.muster.controller.task.Cursors;
import io.muster.controller.task.Page;
import io.muster.controller.task.TaskTarget;
import io.muster.scheduler.rollout.Candidate;
import io.muster.scheduler.rollout.HostProgress;
import io.muster.scheduler.rollout.HostSlot;
import io.muster.scheduler.rollout.Plan;
import io.muster.scheduler.rollout.PlannedHost;
import io.muster.scheduler.rollout.RolloutState;
import io.muster.scheduler.selector.SqlFragment;
import io.muster.scheduler.selector.SqlSelector;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The rollouts tables: create (plan and hosts in one transaction), read, record steps and
 * transitions. Every write that moves a rollout checks its revision or its state in the same
 * statement, so a stale owner or a racing person changes nothing. Thread-safe; never blocks.
 */
public final class RolloutRepository {

    private static final String COLUMNS = "id, state, reason, kind, spec, target, timeout_seconds, dry_run, strategy, "
            + "health_check, on_failure, approved, reverted, revision, total, created_at, updated_at, finished_at, "
            + "created_by_token, created_by";
    private static final String INSERT = "INSERT INTO rollouts (id, state, kind, spec, target, timeout_seconds, dry_run, "
            + "strategy, health_check, on_failure, total, created_by_token, created_by) "
            + "VALUES ($1, 'running', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    private static final String INSERT_HOSTS = "INSERT INTO rollout_hosts (rollout_id, position, host_id, wave) "
            + "SELECT $1, p, h, w FROM unnest($2::int[], $3::text[], $4::int[]) AS t(p, h, w)";
    private static final String CANDIDATES = "SELECT h.id, coalesce(h.labels ->> $%d, h.facts ->> $%d) FROM hosts h "
            + "WHERE (%s) AND h.lifecycle = 'ready'";
    private static final String SLOTS = "SELECT rh.position, rh.host_id, rh.wave, rh.skipped, rh.task_id, r.state, "
            + "coalesce(r.recorded_at, r.finished_at, now()), rh.health_task_id, hr.state, "
            + "coalesce(hr.recorded_at, hr.finished_at, now()) "
            + "FROM rollout_hosts rh "
            + "LEFT JOIN runs r ON r.task_id = rh.task_id AND r.host_id = rh.host_id "
            + "LEFT JOIN runs hr ON hr.task_id = rh.health_task_id AND hr.host_id = rh.host_id "
            + "WHERE rh.rollout_id = $1 ORDER BY rh.position";
    private static final String BUMP = "UPDATE rollouts SET revision = revision + 1, updated_at = now(), "
            + "reverted = reverted OR $4 WHERE id = $1 AND revision = $2 AND state = ANY($3::text[]) RETURNING revision";
    private static final String NEXT_STEP = "SELECT coalesce(max(step), 0) + 1 FROM rollout_steps WHERE rollout_id = $1";
    private static final String SKIP_NOT_READY = "UPDATE rollout_hosts rh SET skipped = true WHERE rh.rollout_id = $1 "
            + "AND rh.position = ANY($2::int[]) AND rh.step IS NULL AND NOT EXISTS "
            + "(SELECT 1 FROM hosts h WHERE h.id = rh.host_id AND h.lifecycle = 'ready')";
    private static final String START_HOSTS = "UPDATE rollout_hosts SET step = $3, task_id = $4 WHERE rollout_id = $1 "
            + "AND position = ANY($2::int[]) AND step IS NULL AND NOT skipped RETURNING host_id";
    private static final String CHECK_HOSTS = "UPDATE rollout_hosts SET health_task_id = $3 WHERE rollout_id = $1 "
            + "AND position = ANY($2::int[]) AND task_id IS NOT NULL AND health_task_id IS NULL RETURNING host_id";
    private static final String REVERT_HOSTS = "SELECT host_id FROM rollout_hosts WHERE rollout_id = $1 "
            + "AND position = ANY($2::int[]) AND task_id IS NOT NULL ORDER BY position";
    private static final String INSERT_STEP = "INSERT INTO rollout_steps (rollout_id, step, kind, wave, task_id, hosts, "
            + "recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)";
    private static final String UNFINISHED_STEPS = "SELECT s.step, s.kind, s.wave, s.task_id FROM rollout_steps s "
            + "WHERE s.rollout_id = $1 AND s.hosts > 0 AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = s.task_id) "
            + "ORDER BY s.step";
    private static final String STEP_HOSTS = "SELECT host_id FROM rollout_hosts WHERE rollout_id = $1 "
            + "AND (task_id = $2 OR health_task_id = $2) AND NOT skipped ORDER BY position";
    private static final String STEPS = "SELECT step, kind, wave, task_id, hosts, recorded_at FROM rollout_steps "
            + "WHERE rollout_id = $1 ORDER BY step";

    private final Pool pool;

    public RolloutRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Plans the rollout over the ready hosts of its target and writes it with its hosts in one
     * transaction.
     *
     * @return the plan; fails with {@link InvalidRolloutException} when the target names no ready
     *     host, or names host ids that are unknown or not ready (nothing written)
     */
    public Future<List<PlannedHost>> create(UUID id, RolloutRequest request) {
        return pool.withTransaction(conn -> candidates(conn, request).compose(candidates -> {
            List<PlannedHost> plan = Plan.arrange(candidates, request.strategy());
            var task = request.task();
            return conn.preparedQuery(INSERT).execute(Tuple.from(Arrays.asList(id, task.kind().wireName(), task.spec(),
                            task.target().toJson(), task.timeoutSeconds(), task.dryRun(), request.strategyJson(),
                            request.healthCheck() == null ? null : request.healthCheck().toJson(),
                            request.onFailure() == null ? null : request.onFailure().toJson(), plan.size(),
                            task.creator() == null ? null : task.creator().tokenId(),
                            task.creator() == null ? null : task.creator().name())))
                    .compose(inserted -> conn.preparedQuery(INSERT_HOSTS).execute(Tuple.of(id,
                            plan.stream().map(PlannedHost::position).toArray(Integer[]::new),
                            plan.stream().map(PlannedHost::hostId).toArray(String[]::new),
                            plan.stream().map(PlannedHost::wave).toArray(Integer[]::new))))
                    .map(plan);
        }));
    }

    private static Future<List<Candidate>> candidates(SqlConnection conn, RolloutRequest request) {
        String spreadBy = request.strategy().spreadBy();
        TaskTarget target = request.task().target();
        SqlFragment where;
        int first;
        if (target instanceof TaskTarget.ByHosts byHosts) {
            // One parameter, the array: List.of(array) would spread the ids as varargs.
            where = new SqlFragment("h.id = ANY($1::text[])", List.<Object>of((Object) byHosts.hostIds().toArray(new String[0])));
        } else {
            where = SqlSelector.where(((TaskTarget.BySelector) target).selector(), "h.labels", List.of("h.facts", "h.vitals"), 1);
        }
        first = where.params().size() + 1;
        List<Object> params = new ArrayList<>(where.params());
        params.add(spreadBy == null ? "" : spreadBy);
        return conn.preparedQuery(String.format(CANDIDATES, first, first, where.sql()) + " ORDER BY h.id")
                .execute(Tuple.from(params))
                .compose(rows -> {
                    List<Candidate> candidates = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        candidates.add(new Candidate(row.getString(0), spreadBy == null ? null : row.getString(1)));
                    }
                    if (target instanceof TaskTarget.ByHosts byHosts && candidates.size() != byHosts.hostIds().size()) {
                        return Future.failedFuture(new InvalidRolloutException("target", (byHosts.hostIds().size()
                                - candidates.size()) + " of the target hosts are unknown or not ready for work"));
                    }
                    if (candidates.isEmpty()) {
                        return Future.failedFuture(new InvalidRolloutException("target", "the target matches no ready host"));
                    }
                    return Future.succeededFuture(candidates);
                });
    }

    public Future<Optional<RolloutRecord>> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM rollouts WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(record(rows.iterator().next())));
    }

    /** Newest first; {@code visible} (a scoped token's filter over {@code r}) may be null. */
    public Future<Page<RolloutRecord>> list(int limit, String cursor) {
        Cursors.TaskPosition after;
        try {
            after = cursor == null ? null : Cursors.task(cursor);
        } catch (RuntimeException badCursor) {
            // A forged or stale cursor is the caller's mistake (400), and must fail the future, not the route.
            return Future.failedFuture(new InvalidRolloutException("cursor", badCursor.getMessage()));
        }
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM rollouts WHERE ($1::timestamptz IS NULL OR "
                        + "(created_at, id) < ($1, $2::uuid)) ORDER BY created_at DESC, id DESC LIMIT $3")
                .execute(Tuple.of(after == null ? null : after.createdAt(), after == null ? null : after.id(), limit + 1))
                .map(rows -> {
                    List<RolloutRecord> items = new ArrayList<>();
                    rows.forEach(row -> items.add(record(row)));
                    String next = null;
                    if (items.size() > limit) {
                        items.remove(limit);
                        RolloutRecord last = items.get(limit - 1);
                        next = Cursors.task(last.createdAt(), last.id());
                    }
                    return new Page<>(items, next);
                });
    }

    /** Ids of rollouts an owner may have to act on (running, or halted with checks or a revert left). */
    public Future<List<UUID>> active() {
        return pool.query("SELECT id FROM rollouts WHERE state IN ('running', 'halted') AND "
                        + "(state = 'running' OR (NOT reverted AND on_failure IS NOT NULL) OR (health_check IS NOT NULL AND EXISTS (SELECT 1 FROM rollout_hosts rh WHERE "
                        + "rh.rollout_id = rollouts.id AND rh.task_id IS NOT NULL AND rh.health_task_id IS NULL AND NOT rh.skipped)))")
                .execute().map(rows -> {
                    List<UUID> ids = new ArrayList<>(rows.size());
                    rows.forEach(row -> ids.add(row.getUUID(0)));
                    return ids;
                });
    }

    /** Every planned host with its progress, derived from its runs. */
    public Future<List<HostSlot>> slots(UUID id, boolean healthCheck) {
        return pool.preparedQuery(SLOTS).execute(Tuple.of(id)).map(rows -> {
            List<HostSlot> slots = new ArrayList<>(rows.size());
            for (Row row : rows) {
                slots.add(slot(row, healthCheck));
            }
            return slots;
        });
    }

    private static HostSlot slot(Row row, boolean healthCheck) {
        PlannedHost host = new PlannedHost(row.getInteger(0), row.getString(1), row.getInteger(2));
        if (row.getBoolean(3)) {
            return new HostSlot(host, HostProgress.SKIPPED, null);
        }
        if (row.getUUID(4) == null) {
            return new HostSlot(host, HostProgress.PLANNED, null);
        }
        String run = row.getString(5);
        Instant runDone = row.getOffsetDateTime(6).toInstant();
        if (run == null || run.equals("pending") || run.equals("running")) {
            return new HostSlot(host, HostProgress.RUNNING, null);
        }
        if (!run.equals("succeeded")) {
            return new HostSlot(host, HostProgress.FAILED, runDone);
        }
        if (!healthCheck) {
            return new HostSlot(host, HostProgress.SUCCEEDED, runDone);
        }
        if (row.getUUID(7) == null) {
            return new HostSlot(host, HostProgress.AWAITING_HEALTH, runDone);
        }
        String check = row.getString(8);
        if (check == null || check.equals("pending") || check.equals("running")) {
            return new HostSlot(host, HostProgress.CHECKING, null);
        }
        Instant checked = row.getOffsetDateTime(9).toInstant();
        return new HostSlot(host, check.equals("succeeded") ? HostProgress.SUCCEEDED : HostProgress.FAILED, checked);
    }

    /**
     * Records a step against the revision the planner read: bumps the revision, then marks the
     * hosts (run: started, once; health: checked, once), then writes the step row. Hosts of a run
     * step that are no longer ready are marked skipped instead.
     *
     * @return the step, or empty when the rollout moved meanwhile (nothing written) or no host
     *     was left to start
     */
    public Future<Optional<RecordedStep>> recordStep(UUID id, long revision, StepKind kind, Integer wave,
                                                     List<Integer> positions, String memberId) {
        List<String> states = kind == StepKind.RUN ? List.of("running")
                : kind == StepKind.HEALTH ? List.of("running", "halted") : List.of("halted");
        UUID taskId = UUID.randomUUID();
        Integer[] at = positions.toArray(new Integer[0]);
        return pool.withTransaction(conn -> conn.preparedQuery(BUMP)
                .execute(Tuple.of(id, revision, states.toArray(new String[0]), kind == StepKind.REVERT))
                .compose(bumped -> {
                    if (bumped.size() == 0) {
                        return Future.succeededFuture(Optional.<RecordedStep>empty());
                    }
                    return conn.preparedQuery(NEXT_STEP).execute(Tuple.of(id)).compose(next -> {
                        int step = next.iterator().next().getInteger(0);
                        Future<RowSet<Row>> marked = switch (kind) {
                            case RUN -> conn.preparedQuery(SKIP_NOT_READY).execute(Tuple.of(id, (Object) at))
                                    .compose(skipped -> conn.preparedQuery(START_HOSTS).execute(Tuple.of(id, at, step, taskId)));
                            case HEALTH -> conn.preparedQuery(CHECK_HOSTS).execute(Tuple.of(id, at, taskId));
                            case REVERT -> conn.preparedQuery(REVERT_HOSTS).execute(Tuple.of(id, (Object) at));
                        };
                        return marked.compose(rows -> {
                            List<String> hosts = new ArrayList<>(rows.size());
                            rows.forEach(row -> hosts.add(row.getString(0)));
                            return conn.preparedQuery(INSERT_STEP).execute(Tuple.from(Arrays.asList(id, step,
                                            kind.wireName(), wave, taskId, hosts.size(), memberId)))
                                    .map(inserted -> Optional.of(new RecordedStep(step, kind, wave, taskId, hosts)));
                        });
                    });
                }));
    }

    /** Steps recorded whose task does not exist yet (their owner died between record and create). */
    public Future<List<RecordedStep>> unfinishedSteps(UUID id) {
        return pool.preparedQuery(UNFINISHED_STEPS).execute(Tuple.of(id)).compose(rows -> {
            List<Future<RecordedStep>> steps = new ArrayList<>();
            for (Row row : rows) {
                StepKind kind = StepKind.fromWire(row.getString(1));
                int step = row.getInteger(0);
                Integer wave = row.getInteger(2);
                UUID taskId = row.getUUID(3);
                Future<List<String>> hosts = kind == StepKind.REVERT
                        ? revertHosts(id)
                        : pool.preparedQuery(STEP_HOSTS).execute(Tuple.of(id, taskId)).map(RolloutRepository::hostIds);
                steps.add(hosts.map(ids -> new RecordedStep(step, kind, wave, taskId, ids)));
            }
            return Future.all(steps).map(all -> all.<RecordedStep>list());
        });
    }

    /** The hosts a revert runs on: those the rollout started that are still ready for work. */
    public Future<List<String>> revertHosts(UUID id) {
        return pool.preparedQuery("SELECT rh.host_id FROM rollout_hosts rh JOIN hosts h ON h.id = rh.host_id "
                + "AND h.lifecycle = 'ready' WHERE rh.rollout_id = $1 AND rh.task_id IS NOT NULL AND NOT rh.skipped "
                + "ORDER BY rh.position").execute(Tuple.of(id)).map(RolloutRepository::hostIds);
    }

    /** A step whose hosts all became unready before its task could be created: nothing to recover. */
    public Future<Void> emptyStep(UUID id, int step) {
        return pool.preparedQuery("UPDATE rollout_steps SET hosts = 0 WHERE rollout_id = $1 AND step = $2")
                .execute(Tuple.of(id, step)).mapEmpty();
    }

    /** Marks the hosts of a step that are no longer ready as skipped; returns the ones still ready. */
    public Future<List<String>> skipUnready(UUID id, UUID taskId) {
        return pool.preparedQuery("UPDATE rollout_hosts rh SET skipped = true WHERE rh.rollout_id = $1 AND (rh.task_id = $2 OR rh.health_task_id = $2) "
                        + "AND NOT rh.skipped AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.id = rh.host_id AND "
                        + "h.lifecycle = 'ready')").execute(Tuple.of(id, taskId))
                .compose(done -> pool.preparedQuery(STEP_HOSTS).execute(Tuple.of(id, taskId)))
                .map(RolloutRepository::hostIds);
    }

    /** Every step so far: number, kind, wave, task id, hosts, when. */
    public Future<List<JsonObject>> steps(UUID id) {
        return pool.preparedQuery(STEPS).execute(Tuple.of(id)).map(rows -> {
            List<JsonObject> steps = new ArrayList<>();
            for (Row row : rows) {
                steps.add(new JsonObject().put("step", row.getInteger(0)).put("kind", row.getString(1))
                        .put("wave", row.getInteger(2)).put("taskId", row.getUUID(3).toString())
                        .put("hosts", row.getInteger(4)).put("recordedAt", row.getOffsetDateTime(5).toInstant().toString()));
            }
            return steps;
        });
    }

    /**
     * Moves the rollout to {@code to} if it is in one of {@code from} (and, when
     * {@code revision >= 0}, still at that revision).
     *
     * @return the new record, or empty when it was not in such a state (nothing written)
     */
    public Future<Optional<RolloutRecord>> transition(UUID id, List<RolloutState> from, long revision, RolloutState to,
                                                      String reason, boolean approve) {
        String[] states = from.stream().map(RolloutState::wireName).toArray(String[]::new);
        return pool.preparedQuery("UPDATE rollouts SET state = $2, reason = $3, revision = revision + 1, updated_at = now(), "
                        + "approved = approved OR $4, finished_at = CASE WHEN $5 THEN now() END "
                        + "WHERE id = $1 AND state = ANY($6::text[]) AND ($7 < 0 OR revision = $7) RETURNING " + COLUMNS)
                .execute(Tuple.from(Arrays.asList(id, to.wireName(), reason, approve, to.terminal(), states, revision)))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(record(rows.iterator().next())));
    }

    /** Replaces the strategy of a rollout that is not over; empty when it is over or unknown. */
    public Future<Optional<RolloutRecord>> replaceStrategy(UUID id, JsonObject strategy) {
        return pool.preparedQuery("UPDATE rollouts SET strategy = $2, revision = revision + 1, updated_at = now() "
                        + "WHERE id = $1 AND state NOT IN ('succeeded', 'aborted', 'failed') RETURNING " + COLUMNS)
                .execute(Tuple.of(id, strategy))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(record(rows.iterator().next())));
    }

    private static List<String> hostIds(RowSet<Row> rows) {
        List<String> ids = new ArrayList<>(rows.size());
        rows.forEach(row -> ids.add(row.getString(0)));
        return ids;
    }

    private static RolloutRecord record(Row row) {
        return new RolloutRecord(row.getUUID("id"), RolloutState.fromWire(row.getString("state")).orElseThrow(),
                row.getString("reason"), row.getString("kind"), (JsonObject) row.getValue("spec"),
                (JsonObject) row.getValue("target"), row.getInteger("timeout_seconds"), row.getBoolean("dry_run"),
                (JsonObject) row.getValue("strategy"), (JsonObject) row.getValue("health_check"),
                (JsonObject) row.getValue("on_failure"), row.getBoolean("approved"), row.getBoolean("reverted"),
                row.getLong("revision"), row.getInteger("total"), row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"), row.getOffsetDateTime("finished_at"),
                row.getString("created_by_token"), row.getString("created_by"));
    }
}
