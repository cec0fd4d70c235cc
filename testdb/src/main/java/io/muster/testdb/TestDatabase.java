package io.muster.testdb;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;

/**
 * A fresh, empty PostgreSQL database for one test (class), dropped by {@link #close()}; the one
 * place that decides which server the tests of every module use.
 *
 * <p>The rule (README, "Running the tests"): the server of {@code MUSTER_TEST_DB_URL}
 * ({@code postgresql://user[:password]@host:port/db}; CI sets it), else the local server on
 * 127.0.0.1:5432 as user postgres if it answers, else ONE embedded PostgreSQL started on first
 * use and shared by the whole JVM (stopped by a shutdown hook). Thread-safe.
 */
public final class TestDatabase implements AutoCloseable {

    /** The environment variable naming the test server. */
    public static final String ENV = "MUSTER_TEST_DB_URL";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static Server server;

    private final Server admin;
    private final String name;

    private TestDatabase(Server admin, String name) {
        this.admin = admin;
        this.name = name;
    }

    /** Creates database muster_t_&lt;random&gt; on the test server. */
    public static TestDatabase create() {
        Server admin = server();
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        String name = "muster_t_" + HexFormat.of().formatHex(suffix);
        execute(admin, "CREATE DATABASE " + name);
        return new TestDatabase(admin, name);
    }

    /** The test server's maintenance database as postgresql://user@host:port/db (for code that creates its own). */
    public static String serverUrl() {
        return server().url();
    }

    /** postgresql://user@host:port/muster_t_... */
    public String url() {
        return admin.withDatabase(name).url();
    }

    /** jdbc:postgresql://host:port/muster_t_... (user and password are passed by {@link #connect()}). */
    public String jdbcUrl() {
        return admin.withDatabase(name).jdbcUrl();
    }

    public String name() {
        return name;
    }

    /** A new JDBC connection to this database; the caller closes it. */
    public Connection connect() throws SQLException {
        return admin.withDatabase(name).connect();
    }

    /** Runs one SQL statement in this database over JDBC (for setting up or inspecting state). */
    public void execute(String sql) {
        execute(admin.withDatabase(name), sql);
    }

    /** The first column of every row of a query in this database, as longs (ids, a count). */
    public java.util.List<Long> longs(String sql) {
        java.util.List<Long> values = new java.util.ArrayList<>();
        try (Connection connection = connect();
             java.sql.Statement statement = connection.createStatement();
             java.sql.ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("test database " + name + ": " + sql + " failed: " + e.getMessage(), e);
        }
        return values;
    }

    /** The single number a query answers (a count). */
    public long count(String sql) {
        return longs(sql).get(0);
    }

    /** Drops the database, ending any session still connected to it. */
    @Override
    public void close() {
        execute(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static synchronized Server server() {
        if (server == null) {
            String configured = System.getenv(ENV);
            if (configured != null && !configured.isBlank()) {
                server = Server.parse(configured);
            } else if (answers("127.0.0.1", 5432)) {
                server = new Server("127.0.0.1", 5432, "postgres", "postgres", null);
            } else {
                server = new Server("127.0.0.1", startEmbedded().getPort(), "postgres", "postgres", null);
            }
        }
        return server;
    }

    private static EmbeddedPostgres startEmbedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "300")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException e) {
                    // the JVM is exiting; the temporary directory goes with the next reboot
                }
            }, "muster-test-pg-stop"));
            return postgres;
        } catch (IOException e) {
            throw new UncheckedIOException("no " + ENV + ", no PostgreSQL on 127.0.0.1:5432, and the embedded one did not start", e);
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

    private static void execute(Server on, String sql) {
        try (Connection connection = on.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database: " + sql + " failed on " + on.url() + ": " + e.getMessage(), e);
        }
    }

    /** One database on one server, as the tests address it. */
    private record Server(String host, int port, String database, String user, String password) {

        static Server parse(String url) {
            URI uri = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
            String user = "postgres";
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                password = parts.length == 2 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : null;
            }
            String path = uri.getPath() == null || uri.getPath().length() <= 1 ? "/postgres" : uri.getPath();
            return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), path.substring(1), user, password);
        }

        Server withDatabase(String other) {
            return new Server(host, port, other, user, password);
        }

        String url() {
            String credentials = encode(user) + (password == null ? "" : ":" + encode(password));
            return "postgresql://" + credentials + "@" + host + ":" + port + "/" + database;
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        Connection connect() throws SQLException {
            Properties properties = new Properties();
            properties.setProperty("user", user);
            if (password != null) {
                properties.setProperty("password", password);
            }
            return DriverManager.getConnection(jdbcUrl(), properties);
        }
    }
}
