package io.muster.bench.scenario;

import io.muster.bench.fleet.FleetDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Reads a task's runs straight from PostgreSQL: the durable record the fan-out latency is
 * measured against ({@code runs.recorded_at}: the controller's database clock, set by the batch
 * statement that writes the terminal state). One JDBC connection; used by one thread.
 */
public final class TaskRuns implements AutoCloseable {

    private static final String COUNTS = "SELECT count(*) FILTER (WHERE state NOT IN ('pending', 'running')), count(*)"
            + " FROM runs WHERE task_id = ?";
    private static final String STATES = "SELECT state, count(*) FROM runs WHERE task_id = ? GROUP BY state ORDER BY state";
    /** Hosts a task to every simulated host would target now: the row is written (and ready). */
    private static final String TARGETABLE = "SELECT count(*) FROM hosts WHERE lifecycle = 'ready'";
    private static final String RECORDED = "SELECT (extract(epoch FROM recorded_at) * 1000000)::bigint FROM runs"
            + " WHERE task_id = ? AND recorded_at IS NOT NULL AND state NOT IN ('pending', 'running')";

    private static final String TASKS_OF_RUNS = "SELECT task_id::text, count(*) FROM runs WHERE id = ANY(?) GROUP BY task_id";

    /** Terminal runs and all runs of a task. */
    public record Counts(long terminal, long total) {
    }

    private final Connection connection;

    public TaskRuns(FleetDatabase database) throws SQLException {
        this.connection = database.connect();
    }

    public Counts counts(String taskId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(COUNTS)) {
            statement.setObject(1, UUID.fromString(taskId));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return new Counts(rows.getLong(1), rows.getLong(2));
            }
        }
    }

    /** How many hosts a task submitted now would get a run for (the connect batch wrote their row). */
    public long targetableHosts() throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(TARGETABLE);
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    public Map<String, Long> states(String taskId) throws SQLException {
        Map<String, Long> states = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(STATES)) {
            statement.setObject(1, UUID.fromString(taskId));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    states.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return states;
    }

    /** How many of the given runs belong to each task, by task id. */
    public Map<String, Long> tasksOf(java.util.Collection<String> runIds) throws SQLException {
        Map<String, Long> tasks = new LinkedHashMap<>();
        if (runIds.isEmpty()) {
            return tasks;
        }
        try (PreparedStatement statement = connection.prepareStatement(TASKS_OF_RUNS)) {
            statement.setArray(1, connection.createArrayOf("uuid", runIds.stream().map(UUID::fromString).toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tasks.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return tasks;
    }

    /** When each terminal run was recorded, in microseconds since the epoch. */
    public long[] recordedMicros(String taskId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(RECORDED)) {
            statement.setObject(1, UUID.fromString(taskId));
            statement.setFetchSize(10_000);
            try (ResultSet rows = statement.executeQuery()) {
                long[] values = new long[1024];
                int n = 0;
                while (rows.next()) {
                    if (n == values.length) {
                        values = java.util.Arrays.copyOf(values, n * 2);
                    }
                    values[n++] = rows.getLong(1);
                }
                return java.util.Arrays.copyOf(values, n);
            }
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
