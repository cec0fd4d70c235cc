package io.muster.controller;

import io.muster.controller.store.DatabaseUrl;
import io.muster.controller.store.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * A fresh, empty PostgreSQL database for one test (class), dropped by {@link #close()}.
 *
 * <p>The server is, in order of preference: the one at {@code MUSTER_TEST_DB_URL}
 * (postgresql://user@host:port/db, CI sets it), the local server on 127.0.0.1:5432 if it answers
 * (user postgres), else ONE embedded PostgreSQL started on first use and shared by the whole JVM
 * (stopped by a shutdown hook). Thread-safe.
 */
public final class TestDatabase implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static DatabaseUrl server;
    private static EmbeddedDatabase embedded;

    private final DatabaseUrl admin;
    private final String name;

    private TestDatabase(DatabaseUrl admin, String name) {
        this.admin = admin;
        this.name = name;
    }

    /** Creates database muster_t_&lt;random&gt; on the test server. */
    public static TestDatabase create() {
        DatabaseUrl admin = server();
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        String name = "muster_t_" + HexFormat.of().formatHex(suffix);
        execute(admin, "CREATE DATABASE " + name);
        return new TestDatabase(admin, name);
    }

    /** postgresql://user@host:port/muster_t_... */
    public String url() {
        return admin.withDatabase(name).url();
    }

    public String name() {
        return name;
    }

    /** Runs one SQL statement in this database over JDBC (for setting up or inspecting state). */
    public void execute(String sql) {
        execute(admin.withDatabase(name), sql);
    }

    /** Drops the database, ending any session still connected to it. */
    @Override
    public void close() {
        execute(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static synchronized DatabaseUrl server() {
        if (server == null) {
            String configured = System.getenv("MUSTER_TEST_DB_URL");
            if (configured != null && !configured.isBlank()) {
                server = DatabaseUrl.parse(configured);
            } else if (answers("127.0.0.1", 5432)) {
                server = DatabaseUrl.parse("postgresql://postgres@127.0.0.1:5432/postgres");
            } else {
                server = DatabaseUrl.parse(startEmbedded().url());
            }
        }
        return server;
    }

    private static EmbeddedDatabase startEmbedded() {
        try {
            Path dir = Files.createTempDirectory("muster-test-pg");
            embedded = EmbeddedDatabase.start(dir, 0);
            Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "muster-test-pg-stop"));
            return embedded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void execute(DatabaseUrl url, String sql) {
        try (Connection connection = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database: " + sql + " failed on " + url.display() + ": " + e.getMessage(), e);
        }
    }
}
