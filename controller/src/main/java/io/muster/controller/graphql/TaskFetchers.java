package io.muster.controller.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.muster.controller.access.Access;
import graphql.GraphQLException;
import io.muster.controller.task.RunStatus;
import io.muster.controller.task.OutputPage;
import io.muster.controller.task.RunView;
import io.muster.controller.task.TaskCounts;
import io.muster.controller.task.TaskProgress;
import io.muster.controller.task.TaskService;
import io.muster.controller.task.TaskView;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Data fetchers of tasks: the listing (newest first, only tasks the caller may see), one task,
 * its runs, and the shapes shared with the progress subscription. Non-blocking.
 */
final class TaskFetchers {

    static final int MAX_PAGE = 1000;

    private final TaskService tasks;

    TaskFetchers(TaskService tasks) {
        this.tasks = tasks;
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> tasks() {
        return env -> {
            int first = Paging.first(env, MAX_PAGE);
            return tasks.list(first, Paging.after(env), Access.visibleTasks(FieldRules.caller(env), 4)).map(page -> {
                List<Map<String, Object>> nodes = new ArrayList<>();
                page.items().forEach(task -> nodes.add(task(task)));
                return Paging.connection(nodes, page.next());
            });
        };
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> task() {
        return env -> {
            Optional<UUID> id = id(env.getArgument("id"));
            if (id.isEmpty()) {
                return Future.succeededFuture(null);
            }
            return tasks.find(id.get()).map(found -> found.map(TaskFetchers::task).orElse(null));
        };
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> runs() {
        return env -> {
            Map<String, Object> source = env.getSource();
            UUID taskId = UUID.fromString((String) source.get("id"));
            int first = Paging.first(env, MAX_PAGE);
            String stateText = env.getArgument("state");
            RunStatus state = null;
            if (stateText != null) {
                state = RunStatus.fromDbName(stateText).orElseThrow(() -> new GraphQLException(
                        "state must be one of pending, running, succeeded, failed, timed_out, cancelled, host_lost; got '"
                                + stateText + "'"));
            }
            return tasks.runs(taskId, state, first, Paging.after(env)).map(page -> {
                List<Map<String, Object>> nodes = new ArrayList<>();
                page.items().forEach(run -> nodes.add(run(taskId, run)));
                return Paging.connection(nodes, page.next());
            });
        };
    }

    static Optional<UUID> id(String text) {
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Map<String, Object> task(TaskView task) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", task.id().toString());
        node.put("kind", task.kind());
        node.put("state", task.state().apiName());
        node.put("total", task.total());
        node.put("counts", counts(task.counts()));
        node.put("createdAt", HostRunsQuery.iso(task.createdAt()));
        node.put("cancelledAt", HostRunsQuery.iso(task.cancelledAt()));
        node.put("target", task.target());
        node.put("spec", task.spec());
        node.put("dryRun", task.dryRun());
        node.put("timeoutSeconds", task.timeoutSeconds());
        return node;
    }

    static Map<String, Object> progress(UUID taskId, TaskProgress progress) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", taskId.toString());
        node.put("state", progress.state().apiName());
        node.put("total", progress.counts().total());
        node.put("counts", counts(progress.counts()));
        node.put("done", progress.state().terminal());
        return node;
    }

    static Map<String, Object> counts(TaskCounts counts) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("pending", counts.get(RunStatus.PENDING));
        node.put("running", counts.get(RunStatus.RUNNING));
        node.put("succeeded", counts.get(RunStatus.SUCCEEDED));
        node.put("failed", counts.get(RunStatus.FAILED));
        node.put("timedOut", counts.get(RunStatus.TIMED_OUT));
        node.put("cancelled", counts.get(RunStatus.CANCELLED));
        node.put("hostLost", counts.get(RunStatus.HOST_LOST));
        return node;
    }

    private static Map<String, Object> run(UUID taskId, RunView run) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("runId", run.runId().toString());
        node.put("taskId", taskId.toString());
        node.put("hostId", run.hostId());
        node.put("state", run.state().dbName());
        node.put("exitCode", run.exitCode());
        node.put("stdout", run.stdout());
        node.put("stderr", run.stderr());
        node.put("stdoutBytes", (int) run.stdoutBytes());
        node.put("stderrBytes", (int) run.stderrBytes());
        node.put("outputCut", run.outputCut());
        node.put("output", run.outputCut() ? OutputPage.link(taskId, run.runId()) : null);
        node.put("truncated", run.truncated());
        node.put("startedAt", HostRunsQuery.iso(run.startedAt()));
        node.put("finishedAt", HostRunsQuery.iso(run.finishedAt()));
        node.put("reason", run.reason());
        node.put("result", run.result());
        return node;
    }
}
