package io.muster.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
            assertThat(first.url()).isEqualTo("postgresql://postgres@127.0.0.1:" + first.port() + "/postgres");
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

    private static Connection connect(EmbeddedDatabase database) throws SQLException {
        DatabaseUrl url = DatabaseUrl.parse(database.url());
        return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
    }
}
