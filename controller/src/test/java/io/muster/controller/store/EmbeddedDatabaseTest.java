package io.muster.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

    @TempDir
    Path dataDir;

    @Test
    void dataWrittenBeforeAStopIsThereAfterTheNextStart() throws Exception {
        try (EmbeddedDatabase first = EmbeddedDatabase.start(dataDir, 0)) {
            assertThat(first.urlWithoutPassword()).isEqualTo("postgresql://postgres@127.0.0.1:" + first.port() + "/postgres");
            assertThat(first.directory()).isEqualTo(dataDir.toAbsolutePath().resolve("postgres"));
            sql(first, "CREATE TABLE survivor (name text)");
            sql(first, "INSERT INTO survivor VALUES ('still here')");
        }
        assertThat(dataDir.resolve("postgres").resolve("PG_VERSION")).exists();

        try (EmbeddedDatabase second = EmbeddedDatabase.start(dataDir, 0);
             Connection connection = connect(second);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT name FROM survivor")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("still here");
        }
    }

    @Test
    void onlyThePasswordKeptInTheDataDirConnects_andWritesAreDurable() throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, 0)) {
            Path passwordFile = dataDir.resolve("postgres.password");
            assertThat(database.passwordFile()).isEqualTo(passwordFile.toAbsolutePath());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
            assertThat(DatabaseUrl.parse(database.url()).password()).isEqualTo(Files.readString(passwordFile).strip());

            String jdbc = DatabaseUrl.parse(database.url()).jdbcUrl();
            assertThatThrownBy(() -> DriverManager.getConnection(jdbc, "postgres", null).close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password");
            assertThatThrownBy(() -> DriverManager.getConnection(jdbc, "postgres", "guessed").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThat(show(database, "fsync")).isEqualTo("on");
            assertThat(show(database, "synchronous_commit")).isEqualTo("on");
        }
    }

    @Test
    void theBenchAndDemoStart_withoutFsync_whenTheyAskForIt() throws Exception {
        try (EmbeddedDatabase database = EmbeddedDatabase.startWithoutFsync(dataDir, 0, "a test")) {
            assertThat(show(database, "fsync")).isEqualTo("off");
            assertThat(show(database, "synchronous_commit")).isEqualTo("off");
        }
    }

    @Test
    void aDataDirThatTrustedEveryLocalConnection_requiresThePasswordAfterItsNextStart() throws Exception {
        try (EmbeddedDatabase first = EmbeddedDatabase.start(dataDir, 0)) {
            sql(first, "SELECT 1");
        }
        // As an older version made it: trust, no password file.
        Path hba = dataDir.resolve("postgres").resolve("pg_hba.conf");
        Files.writeString(hba, Files.readString(hba).replace("scram-sha-256", "trust"));
        Files.delete(dataDir.resolve("postgres.password"));

        try (EmbeddedDatabase second = EmbeddedDatabase.start(dataDir, 0)) {
            assertThat(Files.readString(hba)).doesNotContainPattern("(?m)^[^#].*\\btrust\\b");
            assertThatThrownBy(() -> DriverManager.getConnection(DatabaseUrl.parse(second.url()).jdbcUrl(), "postgres", "x").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThat(show(second, "fsync")).isEqualTo("on");
        }
    }

    @Test
    void aDataDirThatCannotBeUsedGivesOneSentenceNamingDbUrl() throws Exception {
        Path notADirectory = Files.writeString(dataDir.resolve("plain-file"), "x");

        assertThatThrownBy(() -> EmbeddedDatabase.start(notADirectory, 0))
                .isInstanceOf(DatabaseUnavailableException.class)
                .hasMessageStartingWith("could not start the embedded PostgreSQL under " + notADirectory.resolve("postgres"))
                .hasMessageContaining("pass --db-url postgresql://")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static void sql(EmbeddedDatabase database, String sql) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String show(EmbeddedDatabase database, String setting) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW " + setting)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }

    private static Connection connect(EmbeddedDatabase database) throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(database.url());
        return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
    }
}
