package io.muster.cli.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.agent.Agent;
import io.muster.agent.AgentConfig;
import io.muster.cli.MusterCommand;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.auth.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The tooling verbs end to end: the real {@code muster} command line (in this JVM) against a real
 * controller on a fresh PostgreSQL database, with a real agent executing the commands.
 */
class ToolingVerbsEndToEndTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;
    private static Agent agent;
    private static String url;
    private static String token;
    private static String hostId;

    /** One run of the command: exit code and what it printed. */
    record Result(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.create();
        Duration heartbeat = Duration.ofMillis(300);
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("controller"), List.of(), 0,
                "127.0.0.1", "cli-" + UUID.randomUUID(), Duration.ofSeconds(3), heartbeat));
        agent = new Agent(new AgentConfig(List.of("127.0.0.1:" + controller.grpcPort()), temp.resolve("agent"), heartbeat,
                Duration.ofSeconds(1), null, null, null)).start();
        hostId = agent.hostId();
        await().atMost(DEADLINE).until(() -> controller.hosts().find(hostId).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).filter(h -> "online".equals(h.state()) && h.digest() != null).isPresent());
        url = "http://127.0.0.1:" + controller.httpPort();
        token = TestTokens.admin(controller);
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

    private static Result muster(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = MusterCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** A verb with --url and --token of the test controller appended after the verb's own words. */
    private static Result api(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        int split = all.indexOf("--");
        List<String> options = List.of("--url", url, "--token", token);
        if (split < 0) {
            all.addAll(options);
        } else {
            all.addAll(split, options);
        }
        return muster(all.toArray(String[]::new));
    }

    @Test
    void hosts_lsShowAndLabel() {
        Result ls = api("hosts", "ls");
        assertThat(ls.exit()).as(ls.err()).isZero();
        assertThat(ls.out()).contains("ID").contains(hostId).contains("online");

        Result label = api("hosts", "label", hostId, "role=cli", "tier=gold");
        assertThat(label.exit()).as(label.err()).isZero();
        assertThat(label.out()).contains("role=cli").contains("tier=gold");
        Result unlabel = api("hosts", "label", hostId, "tier-");
        assertThat(unlabel.out()).contains("role=cli").doesNotContain("tier=");

        Result selected = api("hosts", "ls", "--selector", "role=cli", "-o", "json");
        assertThat(selected.exit()).isZero();
        JsonArray hosts = new JsonArray(selected.out());
        assertThat(hosts).hasSize(1);
        assertThat(hosts.getJsonObject(0).getString("id")).isEqualTo(hostId);
        assertThat(new JsonArray(api("hosts", "ls", "--selector", "role=nothing", "-o", "json").out())).isEmpty();

        Result show = api("hosts", "show", hostId);
        assertThat(show.exit()).isZero();
        assertThat(show.out()).contains("fact cpu.logical").contains("role=cli");
    }

    @Test
    void run_followsProgress_printsEachHost_exitCodeSaysWhetherAllSucceeded() {
        api("hosts", "label", hostId, "role=runner");
        Result ok = api("run", "--selector", "role=runner", "--timeout", "60", "--", "sh", "-c", "echo hello-from-cli");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.err()).contains("on 1 host").contains("1/1 done");
        assertThat(ok.out()).contains(hostId).contains("succeeded").contains("hello-from-cli");

        Result failed = api("run", "--selector", "role=runner", "--", "sh", "-c", "echo broken >&2; exit 7");
        assertThat(failed.exit()).as(failed.err()).isEqualTo(3);
        assertThat(failed.out()).contains("failed").contains("7").contains("broken");

        Result json = api("run", "--selector", "role=runner", "-o", "json", "--", "true");
        assertThat(json.exit()).isZero();
        JsonObject task = new JsonObject(json.out());
        assertThat(task.getString("state")).isEqualTo("succeeded");
        assertThat(task.getJsonArray("runs").getJsonObject(0).getInteger("exitCode")).isZero();

        Result none = api("run", "--selector", "role=nobody", "--", "true");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("Bad request");

        Result listed = api("tasks", "ls", "--limit", "10");
        assertThat(listed.exit()).isZero();
        assertThat(listed.out()).contains(task.getString("id")).contains("exec").contains("succeeded=1");
        Result shown = api("tasks", "show", task.getString("id"));
        assertThat(shown.out()).contains("succeeded").contains(hostId);
        Result cancelled = api("tasks", "cancel", task.getString("id"));
        assertThat(cancelled.exit()).isZero();
        assertThat(cancelled.out()).contains(task.getString("id"));
        Result unknown = api("tasks", "show", UUID.randomUUID().toString());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("Not found");
    }

    @Test
    void schedule_createFiresOnTheAgent_showListsItsFirings_pauseResumeRm_badCronExitsTwo() {
        api("hosts", "label", hostId, "role=scheduled");
        Result bad = api("schedule", "create", "--name", "cli-bad", "--cron", "61 * * * *", "-s", "role=scheduled", "--", "true");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--cron").contains("61 * * * *");
        Result badZone = api("schedule", "create", "--name", "cli-bad", "--cron", "@every 1m", "--timezone", "Mars/Base",
                "-s", "role=scheduled", "--", "true");
        assertThat(badZone.exit()).isEqualTo(2);
        assertThat(badZone.err()).contains("--timezone");

        Result created = api("schedule", "create", "--name", "cli-every-2s", "--cron", "@every 2s", "--concurrency", "allow",
                "-s", "role=scheduled", "-o", "json", "--", "sh", "-c", "echo scheduled");
        assertThat(created.exit()).as(created.err()).isZero();
        String id = new JsonObject(created.out()).getString("id");
        Result taken = api("schedule", "create", "--name", "cli-every-2s", "--cron", "@every 1m", "-s", "role=scheduled", "--", "true");
        assertThat(taken.exit()).isEqualTo(1);
        assertThat(taken.err()).contains("exists already").contains("409");

        await().atMost(DEADLINE).until(() -> new JsonObject(api("schedule", "show", id, "-o", "json").out())
                .getJsonArray("firings").size() >= 2);
        JsonObject shown = new JsonObject(api("schedule", "show", id, "-o", "json").out());
        String taskId = shown.getJsonArray("firings").getJsonObject(0).getString("taskId");
        await().atMost(DEADLINE).until(() -> api("tasks", "show", taskId).out().contains("scheduled"));
        Result show = api("schedule", "show", id);
        assertThat(show.out()).contains("cli-every-2s").contains("@every 2s").contains("fired").contains("task ");
        assertThat(api("schedule", "ls").out()).contains(id).contains("cli-every-2s");

        assertThat(api("schedule", "pause", id).out()).contains("PAUSED");
        Result again = api("schedule", "pause", id);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("paused already");
        assertThat(api("schedule", "resume", id).exit()).isZero();
        assertThat(api("schedule", "rm", id).out()).contains("deleted");
        assertThat(api("schedule", "show", id).exit()).isEqualTo(1);
    }

    @Test
    void tokens_createListRevoke_theNewTokenWorksUntilRevoked() {
        api("hosts", "label", hostId, "muster.io/role=cli");
        Result created = api("tokens", "create", "cli-viewer", "--role", "viewer", "--scope", "muster.io/role=cli", "--expires-in", "600");
        assertThat(created.exit()).as(created.err()).isZero();
        String secret = created.out().strip();
        assertThat(secret).startsWith("mst_");
        Result viewer = muster("hosts", "ls", "--url", url, "--token", secret);
        assertThat(viewer.exit()).as(viewer.err()).isZero();
        assertThat(viewer.out()).contains(hostId);
        api("hosts", "label", hostId, "muster.io/role=elsewhere");
        assertThat(muster("hosts", "ls", "--url", url, "--token", secret).out()).doesNotContain(hostId);
        api("hosts", "label", hostId, "muster.io/role=cli");

        Result listed = api("tokens", "ls", "-o", "json");
        JsonObject mine = new JsonArray(listed.out()).stream().map(JsonObject.class::cast)
                .filter(t -> t.getString("name").equals("cli-viewer")).findFirst().orElseThrow();
        assertThat(mine.getString("role")).isEqualTo("viewer");
        assertThat(mine.getString("scope")).isEqualTo("muster.io/role=cli");

        Result forbidden = muster("hosts", "label", hostId, "x=y", "--url", url, "--token", secret);
        assertThat(forbidden.exit()).isEqualTo(1);
        assertThat(forbidden.err()).contains("Forbidden");

        assertThat(api("tokens", "revoke", mine.getString("id")).exit()).isZero();
        Result revoked = muster("hosts", "ls", "--url", url, "--token", secret);
        assertThat(revoked.exit()).isEqualTo(1);
        assertThat(revoked.err()).contains("Unauthorized").contains("revoked");
    }

    @Test
    void problemsExitOne_badUsageExitsTwo_withOneLine() throws IOException {
        Result missing = api("hosts", "show", "no-such-host");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("Not found: no host with id 'no-such-host'").doesNotContain("Exception");

        Result anonymous = muster("hosts", "ls", "--url", url);
        assertThat(anonymous.exit()).isEqualTo(1);
        assertThat(anonymous.err()).contains("Unauthorized");

        Result badLabel = api("hosts", "label", hostId, "no-equals-sign");
        assertThat(badLabel.exit()).isEqualTo(2);
        assertThat(badLabel.err()).contains("is not key=value");

        assertThat(api("run", "--", "true").exit()).isEqualTo(2);
        assertThat(api("hosts", "ls", "--output", "yaml").exit()).isEqualTo(2);
        assertThat(api("tokens", "create", "x", "--role", "emperor").exit()).isEqualTo(2);

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Result unreachable = muster("hosts", "ls", "--url", "http://127.0.0.1:" + closedPort, "--token", token);
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach the controller at http://127.0.0.1:" + closedPort);
    }

    @Test
    void completionPrintsABashScriptCoveringTheVerbs() {
        Result completion = muster("completion");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F").contains("hosts").contains("tokens").contains("--selector");
    }
}
