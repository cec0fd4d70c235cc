package io.muster.bench.ceiling;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The database's raw bulk-insert rate on this machine: rows per second into a temporary table
 * shaped like a run's result (uuid, sequence, state, exit code, time, short output), written two
 * ways: {@code COPY FROM STDIN} (the server's fastest path) and {@code INSERT ... SELECT FROM
 * unnest(arrays)} in batches of 1,000 rows (the shape of Muster's own batch statements).
 * Uses the connection it is given, on the caller's thread.
 */
public final class PostgresCeiling {

    static final int BATCH = 1_000;
    private static final String TABLE = "CREATE TEMP TABLE ceiling_rows (run_id uuid, seq bigint, state text,"
            + " exit_code integer, finished_at timestamptz, output text)";
    private static final String UNNEST = "INSERT INTO ceiling_rows SELECT * FROM unnest(?::uuid[], ?::bigint[],"
            + " ?::text[], ?::integer[], ?::timestamptz[], ?::text[])";

    /** Rows per second of both ways. */
    public record Result(double copyRowsPerSecond, double unnestRowsPerSecond, int rows) {
    }

    /** Inserts {@code rows} rows each way (in one transaction each) and returns the rates. */
    public Result measure(Connection connection, int rows) throws SQLException, IOException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(TABLE);
        }
        try {
            double copy = copy(connection, rows);
            try (Statement statement = connection.createStatement()) {
                statement.execute("TRUNCATE ceiling_rows");
            }
            double unnest = unnest(connection, rows);
            return new Result(copy, unnest, rows);
        } finally {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS ceiling_rows");
            }
        }
    }

    private static double copy(Connection connection, int rows) throws SQLException, IOException {
        StringBuilder csv = new StringBuilder(rows * 90);
        String now = Instant.now().toString();
        for (int i = 0; i < rows; i++) {
            csv.append(UUID.randomUUID()).append(',').append(i).append(",succeeded,0,").append(now)
                    .append(",simulated output ").append(i).append('\n');
        }
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        long started = System.nanoTime();
        long written = copy.copyIn("COPY ceiling_rows FROM STDIN WITH (FORMAT csv)", new StringReader(csv.toString()));
        return written / ((System.nanoTime() - started) / 1e9);
    }

    private static double unnest(Connection connection, int rows) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        long started = System.nanoTime();
        try (PreparedStatement insert = connection.prepareStatement(UNNEST)) {
            Timestamp now = Timestamp.from(Instant.now());
            for (int from = 0; from < rows; from += BATCH) {
                int n = Math.min(BATCH, rows - from);
                UUID[] ids = new UUID[n];
                Long[] seqs = new Long[n];
                String[] states = new String[n];
                Integer[] exits = new Integer[n];
                Timestamp[] times = new Timestamp[n];
                String[] outputs = new String[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = UUID.randomUUID();
                    seqs[i] = (long) from + i;
                    states[i] = "succeeded";
                    exits[i] = 0;
                    times[i] = now;
                    outputs[i] = "simulated output " + (from + i);
                }
                insert.setArray(1, array(connection, "uuid", ids));
                insert.setArray(2, array(connection, "int8", seqs));
                insert.setArray(3, array(connection, "text", states));
                insert.setArray(4, array(connection, "int4", exits));
                insert.setArray(5, array(connection, "timestamptz", times));
                insert.setArray(6, array(connection, "text", outputs));
                insert.executeUpdate();
            }
            connection.commit();
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return rows / ((System.nanoTime() - started) / 1e9);
    }

    private static Array array(Connection connection, String type, Object[] values) throws SQLException {
        return connection.createArrayOf(type, values);
    }
}
