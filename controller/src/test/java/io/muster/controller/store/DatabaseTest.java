package io.muster.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.testdb.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DatabaseTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void closeVertx() {
        Await.result(vertx.close());
    }

    @Test
    void openMigratesTheSchemaAndReopeningIsANoOp() {
        try (TestDatabase testDatabase = TestDatabase.create()) {
            Database first = Await.result(Database.open(vertx, testDatabase.url()));
            Await.result(first.pool().query("INSERT INTO hosts (id) VALUES ('h1')").execute());
            Await.result(first.close());

            // The jdbc: form of the same location works too.
            DatabaseUrl url = DatabaseUrl.parse(testDatabase.url());
            Database second = Await.result(Database.open(vertx, url.jdbcUrl() + "?user=" + url.user()));
            List<String> columns = new ArrayList<>();
            for (Row row : Await.result(second.pool().query(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'hosts'").execute())) {
                columns.add(row.getString(0));
            }
            long hosts = Await.result(second.pool().query("SELECT count(*) FROM hosts").execute()).iterator().next().getLong(0);
            Await.result(second.ping());
            Await.result(second.close());

            assertThat(columns).contains("id", "hostname", "labels", "facts", "inventory", "inventory_digest", "state",
                    "lifecycle", "agent_version", "boot_id", "first_seen", "last_seen", "updated_at");
            assertThat(hosts).isEqualTo(1);
        }
    }

    @Test
    void anUnreachableServerFailsWithOneSentence() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        Throwable failure = Await.failure(Database.open(vertx, "postgresql://postgres@127.0.0.1:" + closedPort + "/muster"));

        assertThat(failure).isInstanceOf(DatabaseUnavailableException.class);
        assertThat(failure.getMessage())
                .startsWith("could not use the PostgreSQL database at postgresql://postgres@127.0.0.1:" + closedPort + "/muster")
                .contains("--db-url")
                .doesNotContain("\n");
    }

    @Test
    void aMalformedUrlIsRefusedBeforeConnecting() {
        Throwable failure = Await.failure(Database.open(vertx, "mysql://localhost/db"));

        assertThat(failure).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("postgresql://");
    }
}
