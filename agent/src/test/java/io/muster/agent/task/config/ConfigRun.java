package io.muster.agent.task.config;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.muster.agent.task.RunContext;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** A run as the agent's task runner hands it over, built from a JSON spec; output kept in memory. */
final class ConfigRun implements RunContext {

    private final String runId = UUID.randomUUID().toString();
    private final Struct spec;
    private final boolean dryRun;
    private final Duration timeout;
    private final Path dataDir;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<Runnable> cancelActions = new CopyOnWriteArrayList<>();

    private ConfigRun(Struct spec, boolean dryRun, Duration timeout, Path dataDir) {
        this.spec = spec;
        this.dryRun = dryRun;
        this.timeout = timeout;
        this.dataDir = dataDir;
    }

    static ConfigRun of(String json, boolean dryRun, Duration timeout, Path dataDir) {
        Struct.Builder spec = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, spec);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("test spec is not JSON: " + json, e);
        }
        return new ConfigRun(spec.build(), dryRun, timeout, dataDir);
    }

    void cancel() {
        cancelled.set(true);
        cancelActions.forEach(Runnable::run);
    }

    String out() {
        synchronized (stdout) {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String taskId() {
        return "task-" + runId;
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
        return stdout;
    }

    @Override
    public OutputStream stderr() {
        return stderr;
    }

    @Override
    public boolean cancelled() {
        return cancelled.get();
    }

    @Override
    public void onCancel(Runnable action) {
        cancelActions.add(action);
        if (cancelled.get()) {
            action.run();
        }
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }
}
