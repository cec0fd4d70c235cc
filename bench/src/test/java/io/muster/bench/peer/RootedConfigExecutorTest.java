package io.muster.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import io.muster.agent.task.config.ConfigExecutor;
import io.muster.controller.task.StructJson;
import io.muster.proto.v1.RunState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootedConfigExecutorTest {

    @TempDir
    Path dir;

    /** A run as the agent's task runner would hand it over. */
    private record Run(Struct spec, Path dataDir, OutputStream out) implements RunContext {
        @Override public String runId() { return "run-1"; }
        @Override public String taskId() { return "task-1"; }
        @Override public boolean dryRun() { return false; }
        @Override public Duration timeout() { return Duration.ofSeconds(30); }
        @Override public OutputStream stdout() { return out; }
        @Override public OutputStream stderr() { return out; }
        @Override public boolean cancelled() { return false; }
        @Override public void onCancel(Runnable action) { }
    }

    private static Struct motd(String content) {
        return StructJson.toStruct(new JsonObject().put("resources", new JsonArray()
                .add(new JsonObject().put("type", "file").put("path", "/etc/motd").put("content", content))
                .add(new JsonObject().put("type", "package").put("name", "nginx"))));
    }

    @Test
    void twoAgentsApplyingTheSameTaskWriteTheirOwnFiles() throws Exception {
        Path rootA = dir.resolve("a");
        Path rootB = dir.resolve("b");
        Files.createDirectories(rootA.resolve("etc"));
        Files.createDirectories(rootB.resolve("etc"));
        Struct spec = StructJson.toStruct(new JsonObject().put("resources", new JsonArray()
                .add(new JsonObject().put("type", "file").put("path", "/etc/motd").put("content", "hello\n"))));

        RunResult a = new RootedConfigExecutor(new ConfigExecutor(), rootA)
                .execute(new Run(spec, dir.resolve("data-a"), new ByteArrayOutputStream()));
        RunResult b = new RootedConfigExecutor(new ConfigExecutor(), rootB)
                .execute(new Run(spec, dir.resolve("data-b"), new ByteArrayOutputStream()));

        assertThat(a.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(b.state()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(Files.readString(rootA.resolve("etc/motd"), StandardCharsets.UTF_8)).isEqualTo("hello\n");
        assertThat(Files.readString(rootB.resolve("etc/motd"), StandardCharsets.UTF_8)).isEqualTo("hello\n");
    }

    @Test
    void onlyAbsolutePathsOfPathResourcesMove() {
        RootedConfigExecutor executor = new RootedConfigExecutor(new ConfigExecutor(), Path.of("/srv/peer/h7"));

        JsonObject rooted = StructJson.toJson(executor.rooted(motd("x")));

        JsonArray resources = rooted.getJsonArray("resources");
        assertThat(resources.getJsonObject(0).getString("path")).isEqualTo("/srv/peer/h7/etc/motd");
        assertThat(resources.getJsonObject(1)).isEqualTo(new JsonObject().put("type", "package").put("name", "nginx"));
        assertThat(executor.kind()).isEqualTo("config");
    }
}
