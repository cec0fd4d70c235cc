package io.muster.cli.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.cli.MusterCommand;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.auth.TestTokens;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code muster events tail}, {@code muster hosts history} and {@code muster changes}: the real
 * command line in this JVM against a real controller, with a real agent whose local facts file is
 * rewritten while it runs (an inventory change the agent reports like any other).
 */
class EventsAndHistoryVerbsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;
    private static Agent agent;
    private static String url;
    private static String token;
    private static String hostId;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.create();
        Duration heartbeat = Duration.ofMillis(300);
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "cli-events-" + UUID.randomUUID(), Duration.ofSeconds(3), heartbeat));
        Path dataDir = temp.resolve("agent");
        Files.createDirectories(dataDir.resolve(Agent.LOCAL_FACTS));
        Files.writeString(dataDir.resolve("host-id"), UUID.randomUUID().toString());
        Files.writeString(dataDir.resolve(Agent.LOCAL_FACTS).resolve("site.facts"), "rack=r1\n");
        agent = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), dataDir, heartbeat,
                Duration.ofSeconds(1), null, null, null, Duration.ofMillis(300))).start();
        hostId = agent.hostId();
        url = "http://127.0.0.1:" + controller.httpPort();
        token = TestTokens.admin(controller);
        await().atMost(DEADLINE).until(() -> "r1".equals(facts().getString("local.rack")));
        // The provisioning system moves the host to another rack.
        Files.writeString(dataDir.resolve(Agent.LOCAL_FACTS).resolve("site.facts"), "rack=r2\n");
        await().atMost(DEADLINE).until(() -> "r2".equals(facts().getString("local.rack")));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private static JsonObject facts() {
        JsonObject host = new JsonObject(api("hosts", "show", hostId, "-o", "json").out());
        return host.getJsonObject("facts", new JsonObject());
    }

    record Result(int exit, String out, String err) {
    }

    private static Result run(Writer out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(withApi(args));
        return new Result(exit, out.toString(), err.toString());
    }

    private static Result api(String... args) {
        return run(new StringWriter(), args);
    }

    private static String[] withApi(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", url, "--token", token));
        return all.toArray(String[]::new);
    }

    @Test
    void hosts_history_prints_each_change_with_old_new_and_when() {
        Result table = api("hosts", "history", hostId, "--key", "local.rack");
        assertThat(table.exit()).as(table.err()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).contains("AT").contains("HOST").contains("KEY").contains("OLD").contains("NEW");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).split("\\s+")).contains(hostId, "local.rack", "r1", "r2");

        JsonArray json = new JsonArray(api("hosts", "history", hostId, "--since", "1h", "-o", "json").out());
        JsonObject rack = json.stream().map(JsonObject.class::cast).filter(c -> c.getString("key").equals("local.rack"))
                .findFirst().orElseThrow();
        assertThat(rack.getString("old")).isEqualTo("r1");
        assertThat(rack.getString("new")).isEqualTo("r2");
        assertThat(rack.getString("at")).isNotBlank();

        Result unknown = api("hosts", "history", "no-such-host");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("no-such-host");
    }

    @Test
    void changes_lists_the_fleet_filtered_by_key_since_and_selector() {
        Result table = api("changes", "--since", "7d", "--key", "local.rack");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out().lines().skip(1).toList()).singleElement()
                .satisfies(line -> assertThat(line.split("\\s+")).contains(hostId, "local.rack", "r1", "r2"));

        JsonArray selected = new JsonArray(api("changes", "--key", "local.rack", "--selector", "local.rack=r2", "-o", "json").out());
        assertThat(selected).hasSize(1);
        assertThat(new JsonArray(api("changes", "--key", "local.rack", "--selector", "local.rack=r9", "-o", "json").out())).isEmpty();
        assertThat(new JsonArray(api("changes", "--key", "kernel.release", "-o", "json").out())).isEmpty();

        Result bad = api("changes", "--since", "last-week");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("since");
    }

    @Test
    void events_tail_prints_the_stream_from_a_position_filtered_by_type_and_selector() throws Exception {
        Closable out = new Closable();
        CompletableFuture<Result> tail = CompletableFuture.supplyAsync(() -> run(out, "events", "tail", "--type", "host.*",
                "--selector", "local.rack=r2", "--since-id", "0.0"));
        // The agent's first inventory is a change from nothing; the rack move is the one from r1 to r2.
        await().atMost(DEADLINE).until(() -> out.toString().lines().anyMatch(EventsAndHistoryVerbsTest::rackMove));
        List<String> lines = out.toString().lines().toList();
        // One line per event: time, type, subject, data; only this host's host.* events, in order.
        assertThat(lines.get(0)).contains("host.registered").contains(hostId);
        assertThat(lines).allSatisfy(line -> assertThat(line).contains(hostId).contains(" host."));
        assertThat(lines).noneMatch(l -> l.contains("task.") || l.contains("audit."));

        // Live: a label change made now shows up on the running tail.
        assertThat(api("hosts", "label", hostId, "tier=gold").exit()).isZero();
        await().atMost(DEADLINE).until(() -> out.toString().contains("host.labels.changed"));
        assertThat(out.toString().lines().filter(l -> l.contains("host.labels.changed")).findFirst().orElseThrow())
                .contains("tier");

        // The reader hangs up (a closed pipe): the next event ends the command.
        out.close();
        assertThat(api("hosts", "label", hostId, "tier=silver").exit()).isZero();
        assertThat(tail.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).exit()).isZero();

        Result badType = api("events", "tail", "--type", "host.");
        assertThat(badType.exit()).isNotZero();
        assertThat(badType.err()).contains("host.");
    }

    private static boolean rackMove(String line) {
        return line.contains("host.inventory.changed") && line.contains("\"key\":\"local.rack\"")
                && line.contains("\"old\":\"r1\"") && line.contains("\"new\":\"r2\"");
    }

    /** Collects what is written until closed; then every write fails, as a closed pipe does. */
    private static final class Closable extends Writer {
        private final StringBuffer text = new StringBuffer();
        private volatile boolean closed;

        @Override
        public void write(char[] chars, int offset, int length) throws IOException {
            if (closed) {
                throw new IOException("the reader went away");
            }
            text.append(chars, offset, length);
        }

        @Override
        public void flush() throws IOException {
            if (closed) {
                throw new IOException("the reader went away");
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
