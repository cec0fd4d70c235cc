package io.muster.controller.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by this process for single-machine use (the demo, a lone controller
 * without --db-url). Its data lives under {@code <dataDir>/postgres} and is reused on the next
 * start, so hosts survive restarts. When the JVM runs as root, the server is started inside a
 * user namespace by the library (PostgreSQL refuses to run as root otherwise).
 *
 * <p>{@link #start} blocks until the server accepts connections; call it from a main or worker
 * thread, never an event loop. {@link #close} blocks until the server has stopped.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final Path directory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path directory) {
        this.postgres = postgres;
        this.directory = directory;
    }

    /**
     * Starts the server, creating its data directory on first use.
     *
     * @param dataDir the controller's data dir; the database lives in its "postgres" sub-directory
     * @param port    the port to listen on (127.0.0.1), 0 for a free one
     * @throws DatabaseUnavailableException with one sentence naming --db-url when it cannot start
     */
    public static EmbeddedDatabase start(Path dataDir, int port) {
        Path directory = dataDir.toAbsolutePath().normalize().resolve("postgres");
        try {
            Files.createDirectories(directory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    // The owner (Controller, demo) stops it; a hook of our own would race theirs.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200");
            if (port != 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres postgres = builder.start();
            EmbeddedDatabase database = new EmbeddedDatabase(postgres, directory);
            log.info("embedded PostgreSQL started on 127.0.0.1:{} with its data in {}", postgres.getPort(), directory);
            return database;
        } catch (IOException | RuntimeException e) {
            throw new DatabaseUnavailableException("could not start the embedded PostgreSQL under " + directory
                    + " (" + reason(e) + "); pass --db-url postgresql://USER@HOST:PORT/DATABASE to use an external server", e);
        }
    }

    /** postgresql://postgres@127.0.0.1:PORT/postgres */
    public String url() {
        return "postgresql://postgres@127.0.0.1:" + port() + "/postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public Path directory() {
        return directory;
    }

    /** Stops the server (fast shutdown: open sessions are ended, committed data is kept). */
    @Override
    public void close() {
        try {
            postgres.close();
            log.info("embedded PostgreSQL stopped");
        } catch (IOException e) {
            log.warn("embedded PostgreSQL did not stop cleanly: {}", reason(e));
        }
    }

    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.strip().replaceAll("\\s+", " ");
    }
}
