package io.muster.controller.graphql;

import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.task.OutputPage;
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
    // Output cut in the database, as for a task's runs (OutputPage): $3 bytes of each stream.
    private static final String SELECT = "SELECT r.id, r.task_id, r.host_id, r.state, r.exit_code, "
            + "substring(r.stdout from 1 for $3) AS stdout, octet_length(r.stdout) AS stdout_bytes, "
            + "substring(r.stderr from 1 for $3) AS stderr, octet_length(r.stderr) AS stderr_bytes, "
            + "r.truncated, r.started_at, r.finished_at, r.reason, r.result FROM runs r JOIN tasks t ON t.id = r.task_id "
            + "WHERE r.host_id = $1";
    private static final String ORDER = " ORDER BY r.created_at DESC, r.id DESC LIMIT $2";

    private final Pool pool;

    HostRunsQuery(Pool pool) {
        this.pool = pool;
    }

    /** Only runs of tasks the caller may see: a host in scope also ran other teams' tasks. */
    Future<List<Map<String, Object>>> recent(String hostId, int limit, Principal caller) {
        SqlFragment visible = Access.visibleTasks(caller, 4);
        List<Object> params = new ArrayList<>(List.of(hostId, limit, OutputPage.perStream(limit)));
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
        Buffer stdout = row.getBuffer("stdout");
        Buffer stderr = row.getBuffer("stderr");
        long stdoutBytes = row.getValue("stdout_bytes") == null ? 0 : row.getInteger("stdout_bytes");
        long stderrBytes = row.getValue("stderr_bytes") == null ? 0 : row.getInteger("stderr_bytes");
        boolean cut = stdoutBytes > (stdout == null ? 0 : stdout.length()) || stderrBytes > (stderr == null ? 0 : stderr.length());
        run.put("stdout", text(stdout));
        run.put("stderr", text(stderr));
        run.put("stdoutBytes", (int) stdoutBytes);
        run.put("stderrBytes", (int) stderrBytes);
        run.put("outputCut", cut);
        run.put("output", cut ? OutputPage.link(row.getUUID("task_id"), row.getUUID("id")) : null);
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
