package io.muster.bench.fleet;

import io.muster.controller.store.DatabaseUrl;
import io.muster.controller.store.EmbeddedDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL database of one bench run: an embedded server started in this process, or a
 * fresh scratch database on an external server (dropped on {@link #close}) so that hosts and tasks
 * of earlier runs never count. Not thread-safe: opened and closed by the bench's main thread;
 * {@link #connect} may be called from any thread.
 */
public final class FleetDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetDatabase.class);

    private EmbeddedDatabase embedded;
    private final Path embeddedDataDir;
    private final DatabaseUrl url;
    private final Optional<DatabaseUrl> scratchOn;

    private FleetDatabase(EmbeddedDatabase embedded, Path embeddedDataDir, DatabaseUrl url, Optional<DatabaseUrl> scratchOn) {
        this.embedded = embedded;
        this.embeddedDataDir = embeddedDataDir;
        this.url = url;
        this.scratchOn = scratchOn;
    }

    /** Starts the embedded server under {@code dataDir}/postgres, without fsync (throwaway data). */
    public static FleetDatabase embedded(Path dataDir) {
        EmbeddedDatabase database = EmbeddedDatabase.startWithoutFsync(dataDir, 0, "the bench's throwaway data");
        return new FleetDatabase(database, dataDir, DatabaseUrl.parse(database.url()), Optional.empty());
    }

    /**
     * Creates a scratch database {@code muster_bench_<utc time>} on the server of {@code serverUrl}.
     *
     * @throws IllegalStateException with one sentence when the server refuses
     */
    public static FleetDatabase scratch(String serverUrl, Clock clock) {
        DatabaseUrl server = DatabaseUrl.parse(serverUrl);
        String name = "muster_bench_" + DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC)
                .format(clock.instant());
        try (Connection connection = open(server); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the scratch database " + name + " on "
                    + server.display() + ": " + e.getMessage(), e);
        }
        return new FleetDatabase(null, null, server.withDatabase(name), Optional.of(server));
    }

    /** postgresql://user@host:port/database, as the members take it. */
    public String url() {
        return url.url();
    }

    /** The member flags that name the database: no password on a command line for the embedded one. */
    public List<String> memberArguments() {
        return embedded == null ? List.of("--db-url", url())
                : List.of("--db-url", embedded.urlWithoutPassword(), "--db-password-file", embedded.passwordFile().toString());
    }

    /** The embedded server's directory (for the guard process), empty for an external server. */
    public Optional<Path> embeddedDirectory() {
        return embedded == null ? Optional.empty() : Optional.of(embedded.directory());
    }

    /**
     * Stops the embedded server (fast shutdown: sessions are ended, committed data is kept): a real
     * database outage for the members. Only the bench's own server: an external one is shared.
     *
     * @throws IllegalStateException when the database is a scratch database on an external server
     */
    public void stopServer() {
        if (embeddedDataDir == null) {
            throw new IllegalStateException("a database outage needs the bench's own embedded PostgreSQL; run without --db-url");
        }
        embedded.close();
    }

    /** Starts the embedded server again on the same port with the same data, after {@link #stopServer}. */
    public void startServer() {
        embedded = EmbeddedDatabase.startWithoutFsync(embeddedDataDir, url.port(), "the bench's throwaway data");
    }

    /** A new JDBC connection to the run's database; the caller closes it. */
    public Connection connect() throws SQLException {
        return open(url);
    }

    private static Connection open(DatabaseUrl url) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", url.user());
        if (url.password() != null) {
            properties.setProperty("password", url.password());
        }
        return DriverManager.getConnection(url.jdbcUrl(), properties);
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
        scratchOn.ifPresent(server -> {
            try (Connection connection = open(server); Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + url.database() + " WITH (FORCE)");
            } catch (SQLException e) {
                LOG.warn("could not drop the scratch database {}: {}", url.database(), e.getMessage());
            }
        });
    }
}
