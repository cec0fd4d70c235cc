package io.muster.controller.task;

import io.muster.scheduler.selector.SqlFragment;
import io.muster.scheduler.selector.SqlSelector;
import io.muster.controller.sealing.SealedColumns;
import io.muster.controller.sealing.SealingKey;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Tasks and runs in PostgreSQL (the aggregate "task with its runs"). Results from agents are
 * written by {@link RunResultBatcher}, not here.
 *
 * <p>Thread safety: every method may be called from any thread and never blocks; futures complete
 * on a Vert.x context thread. Each method is one round trip or one transaction.
 */
public final class TaskRepository {

    private static final String INSERT_TASK = "INSERT INTO tasks (id, kind, spec, target, timeout_seconds, dry_run, "
            + "total, accepted_by, created_by_token, created_by, secrets) "
            + "VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10) RETURNING created_at";
    private static final String INSERT_RUNS_FOR_HOSTS = "INSERT INTO runs (id, task_id, host_id) "
            + "SELECT gen_random_uuid(), $1, h.id FROM hosts h WHERE h.id = ANY($2::text[])%s RETURNING id, host_id";
    private static final String INSERT_RUNS_FOR_SELECTOR = "INSERT INTO runs (id, task_id, host_id) "
            + "SELECT gen_random_uuid(), $1, h.id FROM hosts h WHERE (%s)%s RETURNING id, host_id";
    /** Cordoned, draining, maintenance and decommissioned hosts get no new work ({@link TaskKind#readyHostsOnly}). */
    private static final String READY_ONLY = " AND h.lifecycle = 'ready'";
    private static final String SET_TOTAL = "UPDATE tasks SET total = $2 WHERE id = $1";

    private static final String TASK_COLUMNS = "t.id, t.kind, t.spec, t.target, t.timeout_seconds, t.dry_run, "
            + "t.total, t.created_at, t.cancelled_at, (SELECT jsonb_object_agg(c.state, c.n) FROM "
            + "(SELECT state, count(*) AS n FROM runs WHERE task_id = t.id GROUP BY state) c) AS counts";
    private static final String FIND_TASK = "SELECT " + TASK_COLUMNS + " FROM tasks t WHERE t.id = $1";
    private static final String LIST_TASKS_WHERE = "SELECT " + TASK_COLUMNS + " FROM tasks t "
            + "WHERE ($1::timestamptz IS NULL OR (t.created_at, t.id) < ($1, $2::uuid))";
    private static final String LIST_TASKS_ORDER = " ORDER BY t.created_at DESC, t.id DESC LIMIT $3";
    private static final String LIST_TASKS = LIST_TASKS_WHERE + LIST_TASKS_ORDER;
    private static final String COUNTS = "SELECT t.cancelled_at, (SELECT jsonb_object_agg(c.state, c.n) FROM "
            + "(SELECT state, count(*) AS n FROM runs WHERE task_id = t.id GROUP BY state) c) AS counts "
            + "FROM tasks t WHERE t.id = $1";
    private static final String TASK_EXISTS = "SELECT 1 FROM tasks WHERE id = $1";
    // Output is cut in the database (OutputPage): a page of runs never ships gigabytes.
    private static final String LIST_RUNS = "SELECT id, host_id, state, exit_code, substring(stdout from 1 for $5) AS stdout, "
            + "octet_length(stdout) AS stdout_bytes, substring(stderr from 1 for $5) AS stderr, "
            + "octet_length(stderr) AS stderr_bytes, truncated, "
            + "started_at, finished_at, reason, result FROM runs WHERE task_id = $1 "
            + "AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR host_id > $3) "
            + "ORDER BY host_id LIMIT $4";
    private static final String RUN_STDOUT = "SELECT stdout AS output FROM runs WHERE task_id = $1 AND id = $2";
    private static final String RUN_STDERR = "SELECT stderr AS output FROM runs WHERE task_id = $1 AND id = $2";

    private static final String CANCEL_TASK = "UPDATE tasks SET cancelled_at = coalesce(cancelled_at, now()) "
            + "WHERE id = $1 RETURNING id";
    private static final String CANCEL_PENDING = "UPDATE runs SET state = 'cancelled', reason = $2, "
            + "finished_at = now(), recorded_at = now() WHERE task_id = $1 AND state = 'pending' RETURNING id, host_id";
    private static final String RUNNING_OF_TASK = "SELECT id, host_id FROM runs WHERE task_id = $1 AND state = 'running'";

    private static final String OPEN_RUN_COLUMNS = "r.id, r.host_id, r.state, t.id AS task_id, t.kind, "
            + "t.spec::text AS spec, t.secrets, t.timeout_seconds, t.dry_run, "
            + "t.cancelled_at IS NOT NULL AS cancelled";
    /*
     * What a member pushes for run ids another member named: only what PostgreSQL says. A run not
     * terminal yet gets its assignment (or a cancel when its task was cancelled); a run that ended
     * cancelled with its task gets the cancel its agent may still need; anything else (unknown ids,
     * finished runs) gets nothing. The host is the run's own, never one named by the message.
     */
    private static final String RUNS_TO_PUSH = "SELECT " + OPEN_RUN_COLUMNS
            + " FROM runs r JOIN tasks t ON t.id = r.task_id WHERE r.id = ANY($1::uuid[]) "
            + "AND (r.state IN ('pending', 'running') OR (r.state = 'cancelled' AND t.cancelled_at IS NOT NULL)) "
            + "ORDER BY r.created_at, r.id";
    private static final String OPEN_RUNS_OF_HOSTS = "SELECT " + OPEN_RUN_COLUMNS
            + " FROM runs r JOIN tasks t ON t.id = r.task_id "
            + "WHERE r.host_id = ANY($1::text[]) AND r.state IN ('pending', 'running') ORDER BY r.created_at, r.id";
    /*
     * Pending runs of connected hosts due for a second push. A run's age counts from the first
     * sweep that saw it committed and pending (offered_at, stamped then and only then), not from
     * created_at: created_at is the start of the creating transaction, which for a large task can
     * be seconds before the commit, and since a short run sends no RUNNING update it stays pending
     * until its result, so counting from created_at re-pushed runs still in flight. Only runs
     * already stamped at least an interval ago are returned. SKIP LOCKED: a run the result batcher
     * is updating right now is being finished anyway, and waiting for it (or locking in another
     * order) could deadlock with the batcher. (A data-modifying WITH runs whether or not it is read.)
     */
    private static final String REDELIVERY_DUE = "WITH due AS (SELECT id, offered_at FROM runs "
            + "WHERE host_id = ANY($1::text[]) AND state = 'pending' "
            + "AND created_at < now() - make_interval(secs => $2) ORDER BY id FOR UPDATE SKIP LOCKED), "
            + "stamped AS (UPDATE runs r SET offered_at = now() FROM due WHERE r.id = due.id AND due.offered_at IS NULL) "
            + "SELECT " + OPEN_RUN_COLUMNS + " FROM due JOIN runs r ON r.id = due.id JOIN tasks t ON t.id = r.task_id "
            + "WHERE due.offered_at < now() - make_interval(secs => $2) ORDER BY r.created_at, r.id LIMIT $3";

    /** The failure domain of host {@code h}: its "dc" label, else its "dc" fact. */
    static final String DOMAIN = "coalesce(h.labels ->> 'dc', h.facts ->> 'dc')";
    /**
     * The host's domain is not cut off, and was not restored within the last $1 seconds (the
     * sweep's own grace): its stragglers get that long from the restoration to come back.
     */
    private static final String NOT_PARTITIONED = "NOT EXISTS (SELECT 1 FROM partitioned_domains p WHERE p.domain = "
            + DOMAIN + " AND (p.restored_at IS NULL OR p.restored_at > now() - make_interval(secs => $1)))";
    private static final String SWEEP_HOST_LOST = "UPDATE runs r SET state = 'host_lost', "
            + "reason = 'host offline for more than ' || $1::text || ' seconds', recorded_at = now() "
            + "FROM hosts h WHERE h.id = r.host_id AND r.state IN ('pending', 'running') AND h.state = 'offline' "
            + "AND greatest(coalesce(h.last_seen, r.created_at), r.created_at) < now() - make_interval(secs => $1) "
            + "AND " + NOT_PARTITIONED;
    private static final String SWEEP_TIMED_OUT = "UPDATE runs r SET state = 'timed_out', "
            + "reason = 'no result within the timeout of ' || t.timeout_seconds || ' s', recorded_at = now() "
            + "FROM tasks t, hosts h WHERE t.id = r.task_id AND h.id = r.host_id AND r.state = 'running' "
            + "AND r.running_since < now() - make_interval(secs => t.timeout_seconds + $1::double precision) "
            + "AND " + NOT_PARTITIONED;
    /**
     * Lists the domains where at least $1 hosts and at least the fraction $2 of the hosts are
     * offline, marks restored those that are not any more (kept $3 seconds so that the sweeps'
     * grace counts from the restoration), and writes one outbox event per change. Run by every
     * member; the primary key and the row locks of the upsert and update make each event appear once.
     */
    private static final String CHECK_DOMAINS = "WITH counts AS ("
            + " SELECT " + DOMAIN + " AS domain, count(*)::int AS total,"
            + " (count(*) FILTER (WHERE h.state = 'offline'))::int AS offline"
            + " FROM hosts h WHERE " + DOMAIN + " IS NOT NULL GROUP BY 1),"
            + " cut AS (SELECT domain, offline, total FROM counts WHERE offline >= $1 AND offline >= total * $2::float8),"
            + " added AS (INSERT INTO partitioned_domains (domain, offline, total) SELECT domain, offline, total FROM cut"
            + " ON CONFLICT (domain) DO UPDATE SET offline = EXCLUDED.offline, total = EXCLUDED.total, since = now(),"
            + " restored_at = NULL WHERE partitioned_domains.restored_at IS NOT NULL RETURNING domain, offline, total),"
            + " removed AS (UPDATE partitioned_domains p SET restored_at = now() WHERE p.restored_at IS NULL"
            + " AND NOT EXISTS (SELECT 1 FROM cut WHERE cut.domain = p.domain) RETURNING p.domain, p.since),"
            + " forgotten AS (DELETE FROM partitioned_domains p WHERE p.restored_at < now() - make_interval(secs => $3)),"
            + " events AS (INSERT INTO outbox (tx, partition, type, subject, data)"
            + " SELECT outbox_tx('dc=' || domain), outbox_partition('dc=' || domain), 'fleet.domain_partitioned', 'dc=' || domain,"
            + " jsonb_build_object('key', 'dc', 'domain', domain, 'offline', offline, 'total', total) FROM added"
            + " UNION ALL SELECT outbox_tx('dc=' || domain), outbox_partition('dc=' || domain), 'fleet.domain_restored', 'dc=' || domain,"
            + " jsonb_build_object('key', 'dc', 'domain', domain, 'since', since) FROM removed RETURNING type, subject)"
            + " SELECT type, subject FROM events";

    private static final String SWEEP_NEVER_STARTED = "UPDATE runs r SET state = 'timed_out', "
            + "reason = 'never started: still pending ' || (t.timeout_seconds + $1::double precision)::text "
            + "|| ' s after it was offered to the connected host (timeout ' || t.timeout_seconds || ' s plus grace)', "
            + "finished_at = now(), recorded_at = now() "
            + "FROM tasks t WHERE t.id = r.task_id AND r.state = 'pending' AND r.offered_at IS NOT NULL "
            + "AND r.offered_at < now() - make_interval(secs => t.timeout_seconds + $1::double precision)";
    private static final String CLEAR_SECRETS = "UPDATE tasks t SET secrets = NULL WHERE t.secrets IS NOT NULL "
            + "AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.task_id = t.id AND r.state IN ('pending', 'running'))";

    private final Pool pool;
    private final SealingKey key;

    /** @param key seals task secrets as they are written and opens them for assignments */
    public TaskRepository(Pool pool, SealingKey key) {
        this.pool = pool;
        this.key = key;
    }

    /**
     * Writes the task and one run per targeted host in one transaction (runs inserted by one
     * {@code INSERT ... SELECT}, whatever the number of hosts). Completes after the commit.
     *
     * @return fails with {@link InvalidTaskRequestException} (nothing written) when the target
     *     names no host: a selector matching nothing, or host ids that are not known
     */
    public Future<CreatedTask> create(UUID taskId, TaskRequest request, String acceptedBy) {
        return pool.withTransaction(conn -> conn.preparedQuery(INSERT_TASK)
                .execute(Tuple.of(taskId, request.kind().wireName(), request.spec(), request.target().toJson(),
                        request.timeoutSeconds(), request.dryRun(), acceptedBy,
                        request.creator() == null ? null : request.creator().tokenId(),
                        request.creator() == null ? null : request.creator().name(),
                        request.secrets().isEmpty() ? null
                                : key.seal(request.secrets().encode(), SealedColumns.taskSecrets(taskId))))
                .compose(inserted -> {
                    OffsetDateTime createdAt = inserted.iterator().next().getOffsetDateTime(0);
                    return insertRuns(conn, taskId, request.target(), request.kind())
                            .compose(runs -> conn.preparedQuery(SET_TOTAL).execute(Tuple.of(taskId, runs.size()))
                                    .map(ignored -> new CreatedTask(header(taskId, request), createdAt, runs)));
                }));
    }

    static TaskHeader header(UUID taskId, TaskRequest request) {
        return new TaskHeader(taskId, request.kind().wireName(), request.spec().encode(), request.timeoutSeconds(),
                request.dryRun(), request.secrets().encode());
    }

    private Future<List<RunRef>> insertRuns(SqlConnection conn, UUID taskId, TaskTarget target, TaskKind kind) {
        String lifecycle = kind.readyHostsOnly() ? READY_ONLY : "";
        if (target instanceof TaskTarget.ByHosts) {
            List<String> ids = ((TaskTarget.ByHosts) target).hostIds();
            return conn.preparedQuery(String.format(INSERT_RUNS_FOR_HOSTS, lifecycle))
                    .execute(Tuple.of(taskId, (Object) ids.toArray(new String[0])))
                    .map(TaskRepository::runRefs)
                    .compose(runs -> {
                        if (runs.size() == ids.size()) {
                            return Future.succeededFuture(runs);
                        }
                        return lifecycle.isEmpty() ? Future.failedFuture(unknownHosts(ids, runs))
                                : notReady(conn, ids).compose(busy -> Future.failedFuture(busy.isEmpty()
                                        ? unknownHosts(ids, runs)
                                        : new InvalidTaskRequestException(busy.size() + " of the target hosts are not "
                                                + "ready for work: " + String.join(", ", busy.subList(0, Math.min(10, busy.size()))))));
                    });
        }
        TaskTarget.BySelector bySelector = (TaskTarget.BySelector) target;
        SqlFragment where = SqlSelector.where(bySelector.selector(), "h.labels", List.of("h.facts", "h.vitals"), 2);
        List<Object> params = new ArrayList<>(where.params().size() + 1);
        params.add(taskId);
        params.addAll(where.params());
        return conn.preparedQuery(String.format(INSERT_RUNS_FOR_SELECTOR, where.sql(), lifecycle))
                .execute(Tuple.from(params))
                .map(TaskRepository::runRefs)
                .compose(runs -> runs.isEmpty()
                        ? Future.failedFuture(new InvalidTaskRequestException("the selector '" + bySelector.selector()
                                + "' matches no host"))
                        : Future.succeededFuture(runs));
    }

    /** Failure path only: which requested hosts exist but are not ready (id and lifecycle). */
    private static Future<List<String>> notReady(SqlConnection conn, List<String> ids) {
        return conn.preparedQuery("SELECT id, lifecycle FROM hosts WHERE id = ANY($1::text[]) AND lifecycle <> 'ready' ORDER BY id")
                .execute(Tuple.of((Object) ids.toArray(new String[0])))
                .map(rows -> {
                    List<String> busy = new ArrayList<>();
                    rows.forEach(row -> busy.add(row.getString(0) + " (" + row.getString(1) + ")"));
                    return busy;
                });
    }

    private static InvalidTaskRequestException unknownHosts(List<String> requested, List<RunRef> found) {
        Set<String> known = new HashSet<>();
        for (RunRef run : found) {
            known.add(run.hostId());
        }
        List<String> unknown = new ArrayList<>();
        for (String id : requested) {
            if (!known.contains(id)) {
                unknown.add(id);
            }
        }
        String shown = String.join(", ", unknown.subList(0, Math.min(10, unknown.size())));
        return new InvalidTaskRequestException(unknown.size() + " of the target hosts are not known: " + shown
                + (unknown.size() > 10 ? ", ..." : ""));
    }

    private static List<RunRef> runRefs(RowSet<Row> rows) {
        List<RunRef> runs = new ArrayList<>(rows.rowCount());
        for (Row row : rows) {
            runs.add(new RunRef(row.getUUID(0), row.getString(1)));
        }
        return runs;
    }

    public Future<Optional<TaskView>> find(UUID taskId) {
        return pool.preparedQuery(FIND_TASK).execute(Tuple.of(taskId)).map(rows -> {
            var it = rows.iterator();
            return it.hasNext() ? Optional.of(taskView(it.next())) : Optional.empty();
        });
    }

    /** Newest first. */
    public Future<Page<TaskView>> list(int limit, String cursor) {
        return list(limit, cursor, null);
    }

    /**
     * Newest first, only the tasks for which {@code visible} holds (a condition on the task row
     * aliased {@code t} whose placeholders start at $4; null for every task). The condition is part
     * of the query, so pages stay full and the cursor stays exact.
     */
    public Future<Page<TaskView>> list(int limit, String cursor, SqlFragment visible) {
        Cursors.TaskPosition after;
        try {
            after = cursor == null ? null : Cursors.task(cursor);
        } catch (InvalidTaskRequestException e) {
            return Future.failedFuture(e);
        }
        Tuple params = Tuple.of(after == null ? null : after.createdAt(), after == null ? null : after.id(), limit + 1);
        String sql = LIST_TASKS;
        if (visible != null) {
            sql = LIST_TASKS_WHERE + " AND " + visible.sql() + LIST_TASKS_ORDER;
            visible.params().forEach(params::addValue);
        }
        return pool.preparedQuery(sql).execute(params).map(rows -> {
            List<TaskView> items = new ArrayList<>();
            for (Row row : rows) {
                items.add(taskView(row));
            }
            String next = null;
            if (items.size() > limit) {
                items = items.subList(0, limit);
                TaskView last = items.get(limit - 1);
                next = Cursors.task(last.createdAt(), last.id());
            }
            return new Page<>(items, next);
        });
    }

    /** Current counts and whether cancel was asked; empty for an unknown task. */
    public Future<Optional<TaskProgress>> progress(UUID taskId) {
        return pool.preparedQuery(COUNTS).execute(Tuple.of(taskId)).map(rows -> {
            var it = rows.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Row row = it.next();
            return Optional.of(new TaskProgress(TaskCounts.fromJson((JsonObject) row.getValue("counts")),
                    row.getOffsetDateTime("cancelled_at") != null));
        });
    }

    /** Runs of a task in host id order, optionally of one state; fails with {@link TaskNotFoundException}. */
    public Future<Page<RunView>> runs(UUID taskId, RunStatus state, int limit, String cursor) {
        String afterHost;
        try {
            afterHost = cursor == null ? null : Cursors.runHost(cursor);
        } catch (InvalidTaskRequestException e) {
            return Future.failedFuture(e);
        }
        Future<RowSet<Row>> exists = pool.preparedQuery(TASK_EXISTS).execute(Tuple.of(taskId));
        Future<RowSet<Row>> page = pool.preparedQuery(LIST_RUNS)
                .execute(Tuple.of(taskId, state == null ? null : state.dbName(), afterHost, limit + 1,
                        OutputPage.perStream(limit)));
        return Future.all(exists, page).compose(done -> {
            if (exists.result().rowCount() == 0) {
                return Future.failedFuture(new TaskNotFoundException(taskId.toString()));
            }
            List<RunView> items = new ArrayList<>();
            for (Row row : page.result()) {
                items.add(runView(row));
            }
            String next = null;
            if (items.size() > limit) {
                items = items.subList(0, limit);
                next = Cursors.run(items.get(limit - 1).hostId());
            }
            return Future.succeededFuture(new Page<>(items, next));
        });
    }

    /**
     * Marks the task cancelled and its pending runs {@code cancelled} in one transaction, and
     * returns the runs whose agents must be told.
     *
     * @return fails with {@link TaskNotFoundException} for an unknown task
     */
    public Future<CancelledTask> cancel(UUID taskId) {
        return pool.withTransaction(conn -> conn.preparedQuery(CANCEL_TASK).execute(Tuple.of(taskId))
                .compose(updated -> {
                    if (updated.rowCount() == 0) {
                        return Future.failedFuture(new TaskNotFoundException(taskId.toString()));
                    }
                    Future<RowSet<Row>> pending = conn.preparedQuery(CANCEL_PENDING)
                            .execute(Tuple.of(taskId, "cancelled before it started"));
                    Future<RowSet<Row>> running = conn.preparedQuery(RUNNING_OF_TASK).execute(Tuple.of(taskId));
                    return Future.all(pending, running).map(done -> new CancelledTask(taskId,
                            runRefs(pending.result()), runRefs(running.result())));
                }));
    }

    /** Runs not terminal yet of these hosts, oldest first (what a connecting host must get). */
    public Future<List<OpenRun>> openRuns(Collection<String> hostIds) {
        return pool.preparedQuery(OPEN_RUNS_OF_HOSTS).execute(Tuple.of((Object) hostIds.toArray(new String[0])))
                .map(this::openRuns);
    }

    /**
     * Ends pending runs whose host's agent lacks the executor for their kind: failed, with the
     * reason, at once (rather than timing out). One statement; runs no longer pending are left.
     */
    public Future<Integer> failUnrunnable(Collection<UUID> runIds, String reason) {
        return pool.preparedQuery("UPDATE runs SET state = 'failed', reason = $2, finished_at = now(), recorded_at = now() "
                        + "WHERE id = ANY($1::uuid[]) AND state = 'pending'")
                .execute(Tuple.of(runIds.toArray(new UUID[0]), reason)).map(RowSet::rowCount);
    }

    /**
     * The authoritative state of runs another cluster member named by id (see {@link #RUNS_TO_PUSH}):
     * the receiving member pushes exactly this, so a forged or replayed id cannot make an agent run
     * anything PostgreSQL does not hold for that agent's host. One query.
     */
    public Future<List<OpenRun>> runsToPush(Collection<UUID> runIds) {
        return pool.preparedQuery(RUNS_TO_PUSH).execute(Tuple.of((Object) runIds.toArray(new UUID[0])))
                .map(this::openRuns);
    }

    /**
     * Runs of these (connected) hosts still pending {@code olderThan} after a sweep first saw them
     * committed and pending: their push was lost on the way (stream queue full, forwarding hops
     * used up, member list changing), so the owner sends them again. The first sweep that sees a
     * run pending (and older than {@code olderThan} since its creation) stamps {@code offered_at},
     * which starts both this interval and the never-started deadline ({@link #sweepNeverStarted});
     * it returns nothing for that run. At most {@code limit} runs, oldest first. One statement for
     * all the hosts.
     */
    public Future<List<OpenRun>> redeliveryDue(Collection<String> hostIds, Duration olderThan, int limit) {
        return pool.preparedQuery(REDELIVERY_DUE)
                .execute(Tuple.of((Object) hostIds.toArray(new String[0]), seconds(olderThan), limit))
                .map(this::openRuns);
    }

    private List<OpenRun> openRuns(RowSet<Row> rows) {
        List<OpenRun> runs = new ArrayList<>(rows.rowCount());
        for (Row row : rows) {
            UUID taskId = row.getUUID("task_id");
            String secrets = row.getString("secrets");
            TaskHeader task = new TaskHeader(taskId, row.getString("kind"), row.getString("spec"),
                    row.getInteger("timeout_seconds"), row.getBoolean("dry_run"),
                    secrets == null ? null : key.open(secrets, SealedColumns.taskSecrets(taskId)));
            RunStatus state = RunStatus.fromDbName(row.getString("state")).orElseThrow();
            runs.add(new OpenRun(new RunRef(row.getUUID("id"), row.getString("host_id")), task, state,
                    row.getBoolean("cancelled")));
        }
        return runs;
    }

    /**
     * Ends runs that stayed pending longer than their timeout plus {@code grace} after they were
     * first offered to a connected host ({@code offered_at}): the agent never reported them
     * started, so waiting longer would only keep the task open forever. One idempotent statement.
     *
     * @return number of runs marked {@code timed_out}
     */
    public Future<Integer> sweepNeverStarted(Duration grace) {
        return pool.preparedQuery(SWEEP_NEVER_STARTED).execute(Tuple.of(seconds(grace))).map(RowSet::rowCount);
    }

    /** Forgets the secrets of tasks whose runs are all terminal (no agent needs them any more). */
    public Future<Integer> clearFinishedSecrets() {
        return pool.query(CLEAR_SECRETS).execute().map(RowSet::rowCount);
    }

    /**
     * Ends the runs of hosts that have been offline for longer than {@code deadline} (counted from
     * the later of the host's last contact and the run's creation, so a task sent to a host that
     * is already away still gives it the full deadline). One idempotent statement: any member may
     * run it at any time.
     *
     * @return number of runs marked {@code host_lost}
     */
    /**
     * Updates the list of failure domains that look cut off (see {@code CHECK_DOMAINS}); the
     * host_lost and timed_out sweeps leave their runs alone while listed.
     *
     * @return the events written, e.g. "fleet.domain_partitioned dc=ldn1"
     */
    /** @param keepRestored how long a restored domain's row is kept: the longest of the sweeps' graces */
    public Future<List<String>> checkDomains(int minOffline, double fraction, Duration keepRestored) {
        return pool.preparedQuery(CHECK_DOMAINS).execute(Tuple.of(minOffline, fraction, seconds(keepRestored))).map(rows -> {
            List<String> events = new ArrayList<>();
            rows.forEach(row -> events.add(row.getString("type") + " " + row.getString("subject")));
            return events;
        });
    }

    public Future<Integer> sweepHostLost(Duration deadline) {
        return pool.preparedQuery(SWEEP_HOST_LOST).execute(Tuple.of(seconds(deadline))).map(RowSet::rowCount);
    }

    /**
     * Ends runs that started more than their timeout plus {@code grace} ago without a result
     * (the agent enforces the timeout itself; this catches agents that went silent).
     *
     * @return number of runs marked {@code timed_out}
     */
    public Future<Integer> sweepTimedOut(Duration grace) {
        return pool.preparedQuery(SWEEP_TIMED_OUT).execute(Tuple.of(seconds(grace))).map(RowSet::rowCount);
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private static TaskView taskView(Row row) {
        // Every reader of a task (REST, GraphQL, gRPC) gets its spec without the secret values.
        return new TaskView(row.getUUID("id"), row.getString("kind"), (JsonObject) row.getValue("target"),
                TaskKind.redact(row.getString("kind"), (JsonObject) row.getValue("spec")), row.getInteger("timeout_seconds"), row.getBoolean("dry_run"),
                row.getInteger("total"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("cancelled_at"),
                TaskCounts.fromJson((JsonObject) row.getValue("counts")));
    }

    private static RunView runView(Row row) {
        Buffer stdout = row.getBuffer("stdout");
        Buffer stderr = row.getBuffer("stderr");
        long stdoutBytes = row.getValue("stdout_bytes") == null ? 0 : row.getInteger("stdout_bytes");
        long stderrBytes = row.getValue("stderr_bytes") == null ? 0 : row.getInteger("stderr_bytes");
        boolean cut = stdoutBytes > (stdout == null ? 0 : stdout.length()) || stderrBytes > (stderr == null ? 0 : stderr.length());
        return new RunView(row.getUUID("id"), row.getString("host_id"),
                RunStatus.fromDbName(row.getString("state")).orElseThrow(), row.getInteger("exit_code"),
                text(stdout), text(stderr), row.getBoolean("truncated"),
                row.getOffsetDateTime("started_at"), row.getOffsetDateTime("finished_at"), row.getString("reason"),
                (JsonObject) row.getValue("result"), stdoutBytes, stderrBytes, cut);
    }

    /**
     * One stream of one run of a task, whole (as stored: at most the agent's output limit); empty
     * when the task has no such run.
     */
    public Future<Optional<Buffer>> output(UUID taskId, UUID runId, boolean stderr) {
        return pool.preparedQuery(stderr ? RUN_STDERR : RUN_STDOUT).execute(Tuple.of(taskId, runId)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Buffer bytes = rows.iterator().next().getBuffer("output");
            return Optional.of(bytes == null ? Buffer.buffer() : bytes);
        });
    }

    private static String text(Buffer bytes) {
        return bytes == null ? "" : new String(bytes.getBytes(), StandardCharsets.UTF_8);
    }
}
