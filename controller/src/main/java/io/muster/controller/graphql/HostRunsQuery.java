package io.muster.controller.graphql;

import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.task.RunStatus;
import io.muster.scheduler.selector.SqlFragment;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A host's most recent runs, newest first, for {@code Host.runs}. One statement per host asked
 * for. Thread-safe, non-blocking.
 */
final class HostRunsQuery {

    static final int MAX = 200;
    private static final String SELECT = "SELECT r.id, r.task_id, r.host_id, r.state, r.exit_code, r.stdout, r.stderr, "
            + "r.truncated, r.started_at, r.finished_at, r.reason, r.result FROM runs r JOIN tasks t ON t.id = r.task_id "
            + "WHERE r.host_id = $1";
    private static final String ORDER = " ORDER BY r.created_at DESC, r.id DESC LIMIT $2";

    private final Pool pool;

    HostRunsQuery(Pool pool) {
        this.pool = pool;
    }

    /** Only runs of tasks the caller may see: a host in scope also ran other teams' tasks. */
    Future<List<Map<String, Object>>> recent(String hostId, int limit, Principal caller) {
        SqlFragment visible = Access.visibleTasks(caller, 3);
        List<Object> params = new ArrayList<>(List.of(hostId, limit));
        String sql = SELECT + ORDER;
        if (visible != null) {
            params.addAll(visible.params());
            sql = SELECT + " AND " + visible.sql() + ORDER;
        }
        return pool.preparedQuery(sql).execute(Tuple.wrap(params)).map(rows -> {
            List<Map<String, Object>> runs = new ArrayList<>();
            for (Row row : rows) {
                runs.add(run(row));
            }
            return runs;
        });
    }

    private static Map<String, Object> run(Row row) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("runId", row.getUUID("id").toString());
        run.put("taskId", row.getUUID("task_id").toString());
        run.put("hostId", row.getString("host_id"));
        run.put("state", RunStatus.fromDbName(row.getString("state")).map(RunStatus::dbName).orElse(row.getString("state")));
        run.put("exitCode", row.getInteger("exit_code"));
        run.put("stdout", text(row.getBuffer("stdout")));
        run.put("stderr", text(row.getBuffer("stderr")));
        run.put("truncated", row.getBoolean("truncated"));
        run.put("startedAt", iso(row.getOffsetDateTime("started_at")));
        run.put("finishedAt", iso(row.getOffsetDateTime("finished_at")));
        run.put("reason", row.getString("reason"));
        run.put("result", row.getValue("result"));
        return run;
    }

    private static String text(Buffer bytes) {
        return bytes == null ? null : new String(bytes.getBytes(), StandardCharsets.UTF_8);
    }

    static String iso(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }
}
