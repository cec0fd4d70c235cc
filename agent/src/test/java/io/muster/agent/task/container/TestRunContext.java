package io.muster.agent.task.container;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.muster.agent.task.RunContext;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A run as the agent's task runner would present it, with output kept in memory. */
final class TestRunContext implements RunContext {

    private final Struct spec;
    private final Path dataDir;
    private final boolean dryRun;
    private final Duration timeout;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final List<Runnable> cancelActions = new ArrayList<>();
    private boolean cancelled;

    private TestRunContext(Struct spec, Path dataDir, boolean dryRun, Duration timeout) {
        this.spec = spec;
        this.dataDir = dataDir;
        this.dryRun = dryRun;
        this.timeout = timeout;
    }

    static TestRunContext of(String specJson, Path dataDir) {
        return new TestRunContext(parse(specJson), dataDir, false, Duration.ofSeconds(30));
    }

    TestRunContext dryRunning() {
        return new TestRunContext(spec, dataDir, true, timeout);
    }

    TestRunContext withTimeout(Duration limit) {
        return new TestRunContext(spec, dataDir, dryRun, limit);
    }

    static Struct parse(String json) {
        try {
            Struct.Builder b = Struct.newBuilder();
            JsonFormat.parser().merge(json.replace('\'', '"'), b);
            return b.build();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("test spec is not JSON: " + json, e);
        }
    }

    String stdoutText() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    String stderrText() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }

    void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            cancelled = true;
            actions = List.copyOf(cancelActions);
        }
        actions.forEach(Runnable::run);
    }

    @Override
    public String runId() {
        return "run-1";
    }

    @Override
    public String taskId() {
        return "task-42";
    }

    @Override
    public Struct spec() {
        return spec;
    }

    @Override
    public boolean dryRun() {
        return dryRun;
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public OutputStream stdout() {
        return locked(stdout);
    }

    @Override
    public OutputStream stderr() {
        return locked(stderr);
    }

    @Override
    public synchronized boolean cancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                cancelActions.add(action);
                return;
            }
        }
        action.run();
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    private static OutputStream locked(ByteArrayOutputStream target) {
        return new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (target) {
                    target.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (target) {
                    target.write(b, off, len);
                }
            }
        };
    }
}
