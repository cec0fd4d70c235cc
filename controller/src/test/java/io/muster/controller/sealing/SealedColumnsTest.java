package io.muster.controller.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.store.Await;
import io.muster.controller.task.OpenRun;
import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskTarget;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CA private key, task secrets and webhook signing secrets are sealed in PostgreSQL with a key
 * kept outside it: the raw rows hold neither the PEM nor the secrets, a member with another key refuses to start, and
 * rows stored in clear by an older version are sealed at the next start. Real members and
 * PostgreSQL.
 */
class SealedColumnsTest {

    @TempDir
    Path temp;

    private TestDatabase database;
    private Controller member;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.create();
    }

    @AfterEach
    void stop() {
        if (member != null) {
            member.close();
        }
        database.close();
    }

    @Test
    void caKeyAndTaskSecrets_areNotInTheDatabaseInClear_andStillReachTheAgentsAssignment() throws Exception {
        member = Controller.start(config(temp.resolve("m")));
        Path keyFile = temp.resolve("muster-secrets.key");
        assertThat(keyFile).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");

        assertThat(raw("SELECT private_key_pem FROM ca WHERE id = 1")).startsWith("sealed:v1:").doesNotContain("PRIVATE KEY");

        String host = "sealed-" + UUID.randomUUID();
        database.execute("INSERT INTO hosts (id, hostname, state) VALUES ('" + host + "', 'away', 'offline')");
        String secret = "s3cret-" + UUID.randomUUID();
        UUID taskId = UUID.randomUUID();
        Await.result(member.taskEngine().repository().create(taskId, new TaskRequest(new TaskTarget.ByHosts(List.of(host)),
                TaskKind.EXEC, new JsonObject().put("shell", "true"), 60, false)
                .withSecrets(new JsonObject().put("password", secret)), "test"));

        assertThat(raw("SELECT secrets FROM tasks WHERE id = '" + taskId + "'")).startsWith("sealed:v1:").doesNotContain(secret);
        List<OpenRun> open = Await.result(member.taskEngine().repository().openRuns(List.of(host)));
        assertThat(open).singleElement().satisfies(run -> assertThat(run.task().secretsJson()).contains(secret));
    }

    @Test
    void aMemberWithAnotherKey_refusesToStart_namingBothKeys() {
        member = Controller.start(config(temp.resolve("a/m")));
        String expected = SealingKey.loadOrCreate(temp.resolve("a/muster-secrets.key")).id();

        assertThatThrownBy(() -> Controller.start(config(temp.resolve("b/m"))))
                .isInstanceOf(SealedColumns.WrongKeyException.class)
                .hasMessageContaining("sealed with key " + expected)
                .hasMessageContaining(temp.resolve("b/muster-secrets.key").toString())
                .hasMessageContaining("every member of a cluster needs a copy of the same key file");
        // A copy of the key is all the second member needs.
        Controller second = Controller.start(config(temp.resolve("b/m")).withSecretsKeyFile(temp.resolve("a/muster-secrets.key")));
        second.close();
    }

    @Test
    void rowsStoredInClearBeforeSealing_areSealedAtTheNextStart_andStillWork() throws Exception {
        member = Controller.start(config(temp.resolve("m")));
        SealingKey key = SealingKey.loadOrCreate(temp.resolve("muster-secrets.key"));
        String host = "legacy-" + UUID.randomUUID();
        database.execute("INSERT INTO hosts (id, hostname, state) VALUES ('" + host + "', 'away', 'offline')");
        UUID taskId = UUID.randomUUID();
        Await.result(member.taskEngine().repository().create(taskId, new TaskRequest(new TaskTarget.ByHosts(List.of(host)),
                TaskKind.EXEC, new JsonObject().put("shell", "true"), 60, false)
                .withSecrets(new JsonObject().put("password", "legacy-secret")), "test"));
        String certificate = raw("SELECT certificate_pem FROM ca WHERE id = 1");
        member.close();
        member = null;
        // As an older version left them: in clear.
        String clearPem = key.open(raw("SELECT private_key_pem FROM ca WHERE id = 1"), SealedColumns.CA_PRIVATE_KEY);
        database.execute("UPDATE ca SET private_key_pem = '" + clearPem + "'");
        database.execute("UPDATE tasks SET secrets = '{\"password\": \"legacy-secret\"}' WHERE id = '" + taskId + "'");
        UUID webhookId = UUID.randomUUID();
        database.execute("INSERT INTO webhooks (id, url, secret) VALUES ('" + webhookId
                + "', 'http://127.0.0.1:9/hook', 'legacy-webhook-secret')");

        member = Controller.start(config(temp.resolve("m")));

        assertThat(raw("SELECT private_key_pem FROM ca WHERE id = 1")).startsWith("sealed:v1:").doesNotContain("PRIVATE KEY");
        assertThat(raw("SELECT certificate_pem FROM ca WHERE id = 1")).isEqualTo(certificate);
        assertThat(raw("SELECT secrets FROM tasks WHERE id = '" + taskId + "'")).startsWith("sealed:v1:")
                .doesNotContain("legacy-secret");
        assertThat(Await.result(member.taskEngine().repository().openRuns(List.of(host))))
                .singleElement().satisfies(run -> assertThat(run.task().secretsJson()).contains("legacy-secret"));
        String webhookSecret = raw("SELECT secret FROM webhooks WHERE id = '" + webhookId + "'");
        assertThat(webhookSecret).startsWith("sealed:v1:").doesNotContain("legacy-webhook-secret");
        assertThat(key.open(webhookSecret, SealedColumns.webhookSecret(webhookId))).isEqualTo("legacy-webhook-secret");
        // Bound to its row: copied into another webhook's row it does not open.
        assertThatThrownBy(() -> key.open(webhookSecret, SealedColumns.webhookSecret(UUID.randomUUID())))
                .isInstanceOf(SealingKey.CannotOpen.class);
    }

    private ControllerConfig config(Path dataDir) {
        return new ControllerConfig(database.url(), 0, 0, dataDir, List.of(), 0, "127.0.0.1",
                "sealed-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1)).withInsecure(false);
    }

    /** The column's text as stored. */
    private String raw(String sql) throws SQLException {
        try (Connection connection = database.connect();
             PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet rows = statement.executeQuery()) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }
}
