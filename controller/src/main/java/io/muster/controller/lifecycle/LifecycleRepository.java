package io.muster.controller.lifecycle;

import io.muster.controller.store.HostNotFoundException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Host lifecycle and lifecycle operations in PostgreSQL. A transition is applied under the host's
 * row lock together with its host event (and the open operation, when it runs work), so two
 * concurrent requests never both pass the state machine, and at most one operation per host is
 * open (a partial unique index backs this up).
 *
 * <p>Thread-safe; methods never block and complete on a Vert.x context.
 */
public final class LifecycleRepository {

    static final String EVENT_KIND = "lifecycle";

    private static final String LOCK_HOST = "SELECT lifecycle, boot_id, agent_version FROM hosts WHERE id = $1 FOR UPDATE";
    private static final String OPEN_OPERATION = "SELECT action, run_id FROM lifecycle_operations "
            + "WHERE host_id = $1 AND state = 'open'";
    private static final String SET_LIFECYCLE = "UPDATE hosts SET lifecycle = $2, updated_at = now() WHERE id = $1";
    private static final String ADD_EVENT = "INSERT INTO host_events (host_id, kind, message, detail, actor) "
            + "VALUES ($1, '" + EVENT_KIND + "', $2, $3, $4)";
    private static final String INSERT_OPERATION = "INSERT INTO lifecycle_operations (id, host_id, action, during, "
            + "on_success, on_failure, boot_id_before, target_version, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    private static final String ATTACH_RUN = "UPDATE lifecycle_operations SET run_id = $2, task_id = $3 WHERE id = $1";
    private static final String ABANDON = "WITH op AS (UPDATE lifecycle_operations SET state = 'failed', outcome = $2, "
            + "finished_at = now() WHERE id = $1 AND state = 'open' RETURNING host_id, during, action, actor), "
            + "back AS (UPDATE hosts h SET lifecycle = $3, updated_at = now() FROM op "
            + "WHERE h.id = op.host_id AND h.lifecycle = op.during RETURNING h.id) "
            + "INSERT INTO host_events (host_id, kind, message, detail, actor) "
            + "SELECT op.host_id, '" + EVENT_KIND + "', op.action || ' could not start: ' || $2, "
            + "jsonb_build_object('action', op.action, 'from', op.during, 'to', $3::text, 'outcome', 'failed'), op.actor FROM op";
    /** Closes open operations whose run is terminal: operation, host lifecycle and event in one statement. */
    private static final String FINISH_BY_RUNS = "WITH done AS ("
            + " SELECT o.id, o.host_id, o.action, o.during, o.on_success, o.on_failure, o.actor, r.id AS run_id,"
            + " r.state = 'succeeded' AS ok, r.state AS run_state, coalesce(r.reason, '') AS reason"
            + " FROM lifecycle_operations o JOIN runs r ON r.id = o.run_id"
            + " WHERE o.state = 'open' AND r.state NOT IN ('pending', 'running')"
            + " FOR UPDATE OF o SKIP LOCKED),"
            + " closed AS (UPDATE lifecycle_operations o SET state = CASE WHEN d.ok THEN 'succeeded' ELSE 'failed' END,"
            + " outcome = CASE WHEN d.ok THEN 'succeeded' ELSE d.run_state || CASE WHEN d.reason = '' THEN '' ELSE ': ' || d.reason END END,"
            + " finished_at = now() FROM done d WHERE o.id = d.id RETURNING o.id, o.outcome),"
            + " moved AS (UPDATE hosts h SET lifecycle = CASE WHEN d.ok THEN d.on_success ELSE d.on_failure END,"
            + " updated_at = now() FROM done d WHERE h.id = d.host_id AND h.lifecycle = d.during RETURNING h.id, h.lifecycle),"
            + " events AS (INSERT INTO host_events (host_id, kind, message, detail, actor)"
            + " SELECT d.host_id, '" + EVENT_KIND + "', d.action || CASE WHEN d.ok THEN ' succeeded' ELSE ' failed: ' || c.outcome END"
            + " || ': ' || d.during || ' -> ' || coalesce(m.lifecycle, d.during),"
            + " jsonb_build_object('action', d.action, 'from', d.during, 'to', coalesce(m.lifecycle, d.during),"
            + " 'runId', d.run_id, 'outcome', c.outcome), d.actor"
            + " FROM done d JOIN closed c ON c.id = d.id LEFT JOIN moved m ON m.id = d.host_id)"
            + " SELECT d.id, d.host_id, d.action, d.ok, coalesce(m.lifecycle, d.during) AS lifecycle, c.outcome"
            + " FROM done d JOIN closed c ON c.id = d.id LEFT JOIN moved m ON m.id = d.host_id";
    /**
     * Completes the open reboot and upgrade runs of hosts that just connected when the Hello
     * proves the work done: another boot id, or the target version. One statement per batch.
     */
    private static final String COMPLETE_ON_HELLO = "UPDATE runs r SET state = 'succeeded', recorded_at = clock_timestamp(),"
            + " finished_at = coalesce(r.finished_at, now()), running_since = coalesce(r.running_since, now()),"
            + " reason = NULL, result = jsonb_build_object('action', o.action, 'bootId', h.boot_id, 'agentVersion', h.agent_version,"
            + " 'completedBy', 'controller')"
            + " FROM lifecycle_operations o JOIN hosts h ON h.id = o.host_id"
            + " WHERE o.host_id = ANY($1::text[]) AND o.state = 'open' AND r.id = o.run_id AND r.state IN ('pending', 'running')"
            + " AND ((o.action = 'reboot' AND h.boot_id IS DISTINCT FROM o.boot_id_before AND h.boot_id IS NOT NULL)"
            + " OR (o.action = 'upgrade-agent' AND h.agent_version = o.target_version))"
            + " RETURNING r.id";
    private static final String DECOMMISSIONED = "SELECT id FROM hosts WHERE id = ANY($1::text[]) AND lifecycle = 'decommissioned'";

    private final Pool pool;

    public LifecycleRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Applies {@code action} to the host if the state machine allows it and no operation is open,
     * and records the event. For a transition with work, the open operation is inserted too.
     *
     * @return fails with {@link HostNotFoundException} or {@link LifecycleConflictException}
     */
    public Future<Started> begin(String hostId, LifecycleAction action, String targetVersion, String actor,
                                 JsonObject params) {
        return pool.withTransaction(conn -> conn.preparedQuery(LOCK_HOST).execute(Tuple.of(hostId)).compose(rows -> {
            if (rows.size() == 0) {
                return Future.failedFuture(new HostNotFoundException(hostId));
            }
            Row host = rows.iterator().next();
            Lifecycle current = Lifecycle.fromWireName(host.getString("lifecycle")).orElse(Lifecycle.READY);
            return conn.preparedQuery(OPEN_OPERATION).execute(Tuple.of(hostId)).compose(open -> {
                if (open.size() > 0) {
                    Row op = open.iterator().next();
                    return Future.failedFuture(new LifecycleConflictException(current, "host " + hostId + " is busy with "
                            + op.getString("action") + (op.getUUID("run_id") == null ? "" : " (run " + op.getUUID("run_id") + ")")
                            + "; " + action.wireName() + " must wait until it ends"));
                }
                Transition transition = Transitions.of(current, action).orElse(null);
                if (transition == null) {
                    return Future.failedFuture(new LifecycleConflictException(current, action.wireName()
                            + " is not allowed while host " + hostId + " is " + current.wireName()));
                }
                return apply(conn, hostId, transition, host, targetVersion, actor, params);
            });
        }));
    }

    private Future<Started> apply(SqlConnection conn, String hostId, Transition transition, Row host, String targetVersion,
                                  String actor, JsonObject params) {
        UUID operationId = transition.runsWork() ? UUID.randomUUID() : null;
        String bootId = host.getString("boot_id");
        JsonObject detail = new JsonObject().put("action", transition.action().wireName())
                .put("from", transition.from().wireName()).put("to", transition.during().wireName());
        if (params != null && !params.isEmpty()) {
            detail.put("params", params);
        }
        String message = transition.action().wireName() + ": " + transition.from().wireName() + " -> "
                + transition.during().wireName() + (transition.runsWork() ? " (work started)" : "");
        Future<?> steps = conn.preparedQuery(SET_LIFECYCLE).execute(Tuple.of(hostId, transition.during().wireName()))
                .compose(v -> conn.preparedQuery(ADD_EVENT).execute(Tuple.of(hostId, message, detail, actor)));
        if (operationId != null) {
            steps = steps.compose(v -> conn.preparedQuery(INSERT_OPERATION).execute(Tuple.tuple()
                    .addUUID(operationId).addString(hostId).addString(transition.action().wireName())
                    .addString(transition.during().wireName()).addString(transition.onSuccess().wireName())
                    .addString(transition.onFailure().wireName()).addString(bootId).addString(targetVersion)
                    .addString(actor)));
        }
        return steps.map(v -> new Started(transition, operationId, bootId, host.getString("agent_version")));
    }

    /** Records the run that carries the operation's work. */
    public Future<Void> attachRun(UUID operationId, UUID runId, UUID taskId) {
        return pool.preparedQuery(ATTACH_RUN).execute(Tuple.of(operationId, runId, taskId)).mapEmpty();
    }

    /** The work could not be started: the operation fails and the host goes back to {@code back}. */
    public Future<Void> abandon(UUID operationId, Lifecycle back, String why) {
        return pool.preparedQuery(ABANDON).execute(Tuple.of(operationId, why, back.wireName())).mapEmpty();
    }

    /** Ends every open operation whose run is terminal (idempotent; safe on several members at once). */
    public Future<List<FinishedOperation>> finishTerminalRuns() {
        return pool.withTransaction(conn -> conn.query(FINISH_BY_RUNS).execute()).map(LifecycleRepository::finished);
    }

    /** Completes reboot/upgrade runs that the hosts' latest Hello proves done; returns their ids. */
    public Future<List<UUID>> completeOnHello(List<String> hostIds) {
        return pool.preparedQuery(COMPLETE_ON_HELLO).execute(Tuple.of((Object) hostIds.toArray(new String[0])))
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>(rows.size());
                    rows.forEach(row -> ids.add(row.getUUID(0)));
                    return ids;
                });
    }

    /** Which of these hosts are decommissioned. */
    public Future<List<String>> decommissioned(List<String> hostIds) {
        return pool.preparedQuery(DECOMMISSIONED).execute(Tuple.of((Object) hostIds.toArray(new String[0])))
                .map(rows -> {
                    List<String> ids = new ArrayList<>(rows.size());
                    rows.forEach(row -> ids.add(row.getString(0)));
                    return ids;
                });
    }

    private static List<FinishedOperation> finished(RowSet<Row> rows) {
        List<FinishedOperation> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            out.add(new FinishedOperation(row.getUUID("id"), row.getString("host_id"),
                    LifecycleAction.fromWireName(row.getString("action")).orElseThrow(), row.getBoolean("ok"),
                    Lifecycle.fromWireName(row.getString("lifecycle")).orElseThrow(), row.getString("outcome")));
        }
        return out;
    }
}
