package io.muster.controller.task;

import io.muster.testdb.TestDatabase;
import io.muster.controller.sealing.SealingKey;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh test database with the task schema, opened once per test class and emptied before each
 * test: register it as a static {@code @RegisterExtension} field. Its callbacks run before the
 * class's own {@code @BeforeAll} and {@code @BeforeEach} methods, so those can build on it.
 */
final class TaskStore implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final String emptied;
    private Vertx vertx;
    private TestDatabase testDatabase;
    private Database database;
    private TaskRepository tasks;
    private TaskTables tables;
    private Path keyDirectory;

    /** @param emptiedTables tables truncated (with CASCADE) before each test */
    TaskStore(String... emptiedTables) {
        this.emptied = String.join(", ", emptiedTables);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        vertx = Vertx.vertx();
        testDatabase = TestDatabase.create();
        database = Await.result(Database.open(vertx, testDatabase.url()));
        keyDirectory = Files.createTempDirectory("task-store");
        tasks = new TaskRepository(database.pool(), SealingKey.loadOrCreate(keyDirectory.resolve("secrets.key")));
        tables = new TaskTables(testDatabase, database.pool());
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        testDatabase.execute("TRUNCATE " + emptied + " CASCADE");
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        Await.result(database.close());
        Await.result(vertx.close());
        testDatabase.close();
        Files.deleteIfExists(keyDirectory.resolve("secrets.key"));
        Files.deleteIfExists(keyDirectory);
    }

    Vertx vertx() {
        return vertx;
    }

    TestDatabase testDatabase() {
        return testDatabase;
    }

    Database database() {
        return database;
    }

    TaskRepository tasks() {
        return tasks;
    }

    TaskTables tables() {
        return tables;
    }
}
