package io.muster.controller.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by this process for single-machine use (the demo, a lone controller
 * without --db-url). Its data lives under {@code <dataDir>/postgres} and is reused on the next
 * start, so hosts survive restarts. When the JVM runs as root, the server is started inside a
 * user namespace by the library (PostgreSQL refuses to run as root otherwise).
 *
 * <p>It admits only the "postgres" role with a password generated on first start and kept in
 * {@code <dataDir>/postgres.password} (mode 0600): another local user cannot connect, although the
 * server listens on 127.0.0.1. A data directory made before passwords existed (trust) gets one at
 * its next start. Writes are durable (fsync and synchronous commit on) unless started with
 * {@link #startWithoutFsync}, which only the bench and the demo use and which logs a WARN line.
 *
 * <p>{@link #start} blocks until the server accepts connections; call it from a main or worker
 * thread, never an event loop. {@link #close} blocks until the server has stopped.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private static final String PASSWORD_FILE = "postgres.password";

    private final EmbeddedPostgres postgres;
    private final Path directory;
    private final String password;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path directory, String password) {
        this.postgres = postgres;
        this.directory = directory;
        this.password = password;
    }

    /**
     * Starts the server, creating its data directory on first use.
     *
     * @param dataDir the controller's data dir; the database lives in its "postgres" sub-directory
     * @param port    the port to listen on (127.0.0.1), 0 for a free one
     * @throws DatabaseUnavailableException with one sentence naming --db-url when it cannot start
     */
    public static EmbeddedDatabase start(Path dataDir, int port) {
        return start(dataDir, port, true);
    }

    /**
     * Starts the server with fsync and synchronous commit off: a crash of the machine can lose or
     * corrupt recent writes. For the bench and the demo only (throwaway data, faster writes).
     *
     * @param why who asks, for the WARN line
     */
    public static EmbeddedDatabase startWithoutFsync(Path dataDir, int port, String why) {
        log.warn("the embedded PostgreSQL under {} runs with fsync and synchronous_commit off ({}): a machine crash "
                + "can lose or corrupt its recent writes", dataDir, why);
        return start(dataDir, port, false);
    }

    private static EmbeddedDatabase start(Path dataDir, int port, boolean durable) {
        Path root = dataDir.toAbsolutePath().normalize();
        Path directory = root.resolve("postgres");
        try {
            Files.createDirectories(directory);
            Path passwordFile = root.resolve(PASSWORD_FILE);
            String password = password(passwordFile);
            String durability = durable ? "on" : "off";
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    // The owner (Controller, demo) stops it; a hook of our own would race theirs.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    // The library starts the server with -F (fsync off) and synchronous_commit off; these come after.
                    .setServerConfig("fsync", durability)
                    .setServerConfig("synchronous_commit", durability)
                    // initdb options (the library passes these as --key=value after its own "-A trust").
                    .setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", passwordFile.toString())
                    .setConnectConfig("password", password);
            if (port != 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres postgres = builder.start();
            // A directory initialised before passwords existed trusts every local connection until now.
            if (trusts(directory.resolve("pg_hba.conf"))) {
                requirePassword(postgres, directory, password);
            }
            EmbeddedDatabase database = new EmbeddedDatabase(postgres, directory, password);
            log.info("embedded PostgreSQL started on 127.0.0.1:{} with its data in {} (password in {}, fsync {})",
                    postgres.getPort(), directory, passwordFile, durability);
            return database;
        } catch (IOException | SQLException | RuntimeException e) {
            throw new DatabaseUnavailableException("could not start the embedded PostgreSQL under " + directory
                    + " (" + reason(e) + "); pass --db-url postgresql://USER@HOST:PORT/DATABASE to use an external server", e);
        }
    }

    /** The password kept in {@code file}, generated (and the file written, 0600) when absent. */
    private static String password(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Path temporary = Files.createTempFile(file.getParent(), PASSWORD_FILE + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, password + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        return password;
    }

    private static boolean trusts(Path hba) throws IOException {
        return Files.readAllLines(hba, StandardCharsets.UTF_8).stream()
                .anyMatch(line -> !line.startsWith("#") && line.matches(".*\\btrust\\b.*"));
    }

    /** Gives a data directory made with trust authentication the password, and stops trusting. */
    private static void requirePassword(EmbeddedPostgres postgres, Path directory, String password)
            throws IOException, SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER ROLE postgres PASSWORD '" + password + "'");
            Path hba = directory.resolve("pg_hba.conf");
            String scram = Files.readAllLines(hba, StandardCharsets.UTF_8).stream()
                    .map(line -> line.startsWith("#") ? line : line.replaceAll("\\btrust\\b", "scram-sha-256"))
                    .collect(Collectors.joining("\n", "", "\n"));
            Files.writeString(hba, scram, StandardCharsets.UTF_8);
            statement.execute("SELECT pg_reload_conf()");
        }
        log.info("the embedded PostgreSQL under {} now requires the password kept next to it", directory);
    }

    /** postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres (the password is URL-safe base64). */
    public String url() {
        return "postgresql://postgres:" + password + "@127.0.0.1:" + port() + "/postgres";
    }

    /** The same URL without the password (safe to show and to pass on a command line). */
    public String urlWithoutPassword() {
        return "postgresql://postgres@127.0.0.1:" + port() + "/postgres";
    }

    /** The file holding the password (0600): pass it to a member with --db-password-file. */
    public Path passwordFile() {
        return directory.getParent().resolve(PASSWORD_FILE);
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
