package io.muster.bench.peer;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import io.muster.agent.task.TaskExecutor;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The real {@code config} executor of one peer-comparison agent, with every resource path moved
 * under the agent's own root directory: a task's {@code /etc/motd} lands in
 * {@code <root>/etc/motd}. Many real agents share this machine in the comparison, and the same
 * task goes to all of them; without a root of their own they would all write the same file.
 * (Ansible's side does the same with {@code dest: <ansible root>/{{ inventory_hostname }}/...}.)
 * Thread-safe: keeps no per-run state.
 */
final class RootedConfigExecutor implements TaskExecutor {

    private static final Set<String> PATH_TYPES = Set.of("file", "directory", "symlink", "absent");

    private final TaskExecutor config;
    private final Path root;

    RootedConfigExecutor(TaskExecutor config, Path root) {
        this.config = config;
        this.root = root;
    }

    @Override
    public String kind() {
        return config.kind();
    }

    @Override
    public RunResult execute(RunContext context) throws InterruptedException {
        return config.execute(new Rooted(context, rooted(context.spec())));
    }

    /** The spec with each resource's absolute "path" under the root; anything else unchanged. */
    Struct rooted(Struct spec) {
        Value resources = spec.getFieldsMap().get("resources");
        if (resources == null || resources.getKindCase() != Value.KindCase.LIST_VALUE) {
            return spec;
        }
        ListValue.Builder moved = ListValue.newBuilder();
        for (Value resource : resources.getListValue().getValuesList()) {
            moved.addValues(resource.getKindCase() == Value.KindCase.STRUCT_VALUE
                    ? Value.newBuilder().setStructValue(rootedResource(resource.getStructValue())).build()
                    : resource);
        }
        return spec.toBuilder().putFields("resources", Value.newBuilder().setListValue(moved).build()).build();
    }

    private Struct rootedResource(Struct resource) {
        Value type = resource.getFieldsMap().get("type");
        Value path = resource.getFieldsMap().get("path");
        if (type == null || path == null || !PATH_TYPES.contains(type.getStringValue())
                || !path.getStringValue().startsWith("/")) {
            return resource;
        }
        String under = root.resolve(path.getStringValue().substring(1)).toString();
        return resource.toBuilder().putFields("path", Value.newBuilder().setStringValue(under).build()).build();
    }

    /** The run as the agent gave it, with the rooted spec. */
    private record Rooted(RunContext run, Struct spec) implements RunContext {

        @Override
        public String runId() {
            return run.runId();
        }

        @Override
        public String taskId() {
            return run.taskId();
        }

        @Override
        public boolean dryRun() {
            return run.dryRun();
        }

        @Override
        public Duration timeout() {
            return run.timeout();
        }

        @Override
        public OutputStream stdout() {
            return run.stdout();
        }

        @Override
        public OutputStream stderr() {
            return run.stderr();
        }

        @Override
        public boolean cancelled() {
            return run.cancelled();
        }

        @Override
        public void onCancel(Runnable action) {
            run.onCancel(action);
        }

        @Override
        public Path dataDir() {
            return run.dataDir();
        }
    }
}
