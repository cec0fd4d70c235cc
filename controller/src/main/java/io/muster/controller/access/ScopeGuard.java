package io.muster.controller.access;

import io.muster.controller.task.TaskTarget;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SqlFragment;
import io.muster.scheduler.selector.SqlSelector;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a scoped token may see: hosts matching its scope selector, and tasks whose hosts are all in
 * its scope or that it created itself ({@code tasks.created_by_token}, written with the task by
 * {@code POST /api/v1/tasks} and gRPC SubmitTask; not the audit log, which is asynchronous and may
 * drop events). A host that does not exist
 * counts as outside, so a scoped token cannot probe for hosts beyond its scope. Used by REST, gRPC
 * and GraphQL alike. Thread-safe, non-blocking.
 */
public final class ScopeGuard {

    private final Pool pool;

    public ScopeGuard(Pool pool) {
        this.pool = pool;
    }

    /** The requested selector narrowed to the scope (both must hold). */
    public static Selector narrow(Selector requested, Selector scope) {
        if (scope.isEmpty()) {
            return requested;
        }
        List<io.muster.scheduler.selector.Requirement> both = new ArrayList<>();
        if (requested != null) {
            both.addAll(requested.requirements());
        }
        both.addAll(scope.requirements());
        return Selector.of(both);
    }

    /** Whether the host exists and matches the scope. */
    public Future<Boolean> hostVisible(String hostId, Selector scope) {
        SqlFragment in = SqlSelector.where(scope, "labels", "facts", 2);
        List<Object> params = new ArrayList<>();
        params.add(hostId);
        params.addAll(in.params());
        return pool.preparedQuery("SELECT 1 FROM hosts WHERE id = $1 AND COALESCE((" + in.sql() + "), false)")
                .execute(Tuple.wrap(params))
                .map(rows -> rows.size() == 1);
    }

    /** How many hosts of the target lie outside the scope (unknown hosts of an id list included). */
    public Future<Integer> outside(TaskTarget target, Selector scope) {
        if (target instanceof TaskTarget.BySelector bySelector) {
            SqlFragment wanted = SqlSelector.where(bySelector.selector(), "labels", "facts", 1);
            SqlFragment in = SqlSelector.where(scope, "labels", "facts", 1 + wanted.params().size());
            List<Object> params = new ArrayList<>(wanted.params());
            params.addAll(in.params());
            return count("SELECT count(*) FROM hosts WHERE COALESCE((" + wanted.sql() + "), false) AND NOT COALESCE(("
                    + in.sql() + "), false)", params);
        }
        List<String> ids = ((TaskTarget.ByHosts) target).hostIds();
        SqlFragment in = SqlSelector.where(scope, "h.labels", "h.facts", 2);
        List<Object> params = new ArrayList<>();
        params.add(ids.toArray(String[]::new));
        params.addAll(in.params());
        return count("SELECT count(*) FROM unnest($1::text[]) AS t(id) LEFT JOIN hosts h ON h.id = t.id"
                + " WHERE h.id IS NULL OR NOT COALESCE((" + in.sql() + "), false)", params);
    }

    /**
     * Whether the task is visible: every host of its runs is in scope, or the token created it.
     * A task that does not exist is "visible" so that the caller answers its own 404.
     */
    public Future<Boolean> taskVisible(UUID taskId, Selector scope, String tokenId) {
        SqlFragment visible = visibleTasks(scope, tokenId, 2);
        List<Object> params = new ArrayList<>();
        params.add(taskId);
        params.addAll(visible.params());
        return pool.preparedQuery("SELECT " + visible.sql() + " AS visible FROM tasks t WHERE t.id = $1")
                .execute(Tuple.wrap(params))
                .map(rows -> rows.size() == 0 || rows.iterator().next().getBoolean("visible"));
    }

    /**
     * The condition, on a task row aliased {@code t}, that the token sees the task: every host of
     * its runs exists and matches the scope, or this token created it (the task's creator column).
     * One rule for single reads and listings, so that a listing never shows what a read would hide.
     *
     * @param firstParam the number of the first placeholder the fragment may use
     */
    public static SqlFragment visibleTasks(Selector scope, String tokenId, int firstParam) {
        SqlFragment in = SqlSelector.where(scope, "h.labels", "h.facts", firstParam + 1);
        List<Object> params = new ArrayList<>();
        params.add(tokenId);
        params.addAll(in.params());
        String sql = "(NOT EXISTS (SELECT 1 FROM runs r LEFT JOIN hosts h ON h.id = r.host_id"
                + " WHERE r.task_id = t.id AND (h.id IS NULL OR NOT COALESCE((" + in.sql() + "), false)))"
                + " OR coalesce(t.created_by_token = $" + firstParam + ", false))";
        return new SqlFragment(sql, params);
    }

    private Future<Integer> count(String sql, List<Object> params) {
        return pool.preparedQuery(sql).execute(Tuple.wrap(params)).map(rows -> rows.iterator().next().getLong(0).intValue());
    }
}
