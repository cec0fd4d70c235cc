package io.muster.controller.api;

import io.muster.controller.access.Access;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.access.Subject;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Callers;
import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.Routes;
import io.muster.controller.task.CreatedTask;
import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.RunStatus;
import io.muster.controller.task.OutputPage;
import io.muster.controller.task.RunView;
import io.muster.controller.task.TaskCreator;
import io.muster.controller.task.TaskNotFoundException;
import io.muster.controller.task.TaskProgress;
import io.muster.controller.task.TaskProgressFeed;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskRequestParser;
import io.muster.controller.task.TaskService;
import io.muster.controller.task.TaskView;
import io.muster.scheduler.selector.SqlFragment;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * /api/v1/tasks: create (201 only once the task and its runs are committed), list newest first,
 * one task with the counts of its runs, its runs with their results, cancel, and a server-sent
 * event stream of its progress.
 *
 * <p>Task states (field {@code state}): {@code pending} (no run started), {@code running},
 * {@code cancelling} (cancel asked, runs still open), and the final {@code succeeded} (every run
 * succeeded), {@code failed} (no run succeeded), {@code completed} (some did, some did not) and
 * {@code cancelled}. Handlers run on the event loop and only chain futures.
 */
public final class TaskRoutes implements ApiPart {

    static final Rule CREATE = Rule.operator("tasks.create", Scoping.TASK_TARGET);
    static final Rule LIST = Rule.viewer("tasks.list", Scoping.TASK_QUERY);
    static final Rule GET = Rule.viewer("tasks.get", Scoping.TASK);
    static final Rule RUNS = Rule.viewer("tasks.runs", Scoping.TASK);
    static final Rule RUN_OUTPUT = Rule.viewer("tasks.runs.output", Scoping.TASK);
    static final Rule CANCEL = Rule.operator("tasks.cancel", Scoping.TASK);
    static final Rule EVENTS = Rule.viewer("tasks.events", Scoping.TASK);

    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final Vertx vertx;
    private final TaskService tasks;
    private final TaskRequestParser parser = new TaskRequestParser();

    public TaskRoutes(Vertx vertx, TaskService tasks) {
        this.vertx = vertx;
        this.tasks = tasks;
    }

    @Override
    public void routes(Routes routes) {
        routes.post("/api/v1/tasks", CREATE, this::target, this::create)
                .get("/api/v1/tasks", LIST, this::list)
                .get("/api/v1/tasks/:id", GET, this::get)
                .get("/api/v1/tasks/:id/runs", RUNS, this::runs)
                .get("/api/v1/tasks/:id/runs/:runId/output", RUN_OUTPUT, this::output)
                .post("/api/v1/tasks/:id/cancel", CANCEL, this::cancel)
                .get("/api/v1/tasks/:id/events", EVENTS, this::events);
    }

    private Subject target(RoutingContext ctx) {
        try {
            return Subject.target(parser.parse(ctx.body().buffer()).target());
        } catch (InvalidTaskRequestException e) {
            throw new ProblemException(invalid(e));
        }
    }

    private void create(RoutingContext ctx) {
        TaskRequest request;
        try {
            request = parser.parse(ctx.body().buffer());
        } catch (InvalidTaskRequestException e) {
            fail(ctx, e);
            return;
        }
        // The creator is stored on the task: a scoped token keeps seeing what it created.
        TaskRequest owned = request.createdBy(Callers.principal(ctx)
                .map(caller -> new TaskCreator(caller.tokenId(), caller.name())).orElse(null));
        tasks.create(owned).onSuccess(created -> {
            ctx.response().putHeader("Location", "/api/v1/tasks/" + created.taskId());
            HostRoutes.json(ctx, 201, created(created));
        }).onFailure(e -> fail(ctx, e));
    }

    private static JsonObject created(CreatedTask created) {
        return new JsonObject().put("id", created.taskId().toString()).put("total", created.runs().size());
    }

    private void list(RoutingContext ctx) {
        PageRequest page = PageRequest.from(ctx);
        // A scoped token lists only the tasks it could read one by one.
        SqlFragment visible = Access.visibleTasks(Callers.principal(ctx).orElseThrow(), 4);
        tasks.list(page.limit(), page.cursor(), visible).onSuccess(result -> {
            JsonArray items = new JsonArray();
            result.items().forEach(task -> items.add(task(task, false)));
            HostRoutes.json(ctx, 200, new JsonObject().put("items", items).put("next", result.next()));
        }).onFailure(e -> fail(ctx, e));
    }

    private void get(RoutingContext ctx) {
        Optional<UUID> id = taskId(ctx);
        if (id.isEmpty()) {
            return;
        }
        tasks.find(id.get()).onSuccess(task -> {
            if (task.isEmpty()) {
                fail(ctx, new TaskNotFoundException(id.get().toString()));
            } else {
                HostRoutes.json(ctx, 200, task(task.get(), true));
            }
        }).onFailure(e -> fail(ctx, e));
    }

    private void runs(RoutingContext ctx) {
        Optional<UUID> id = taskId(ctx);
        if (id.isEmpty()) {
            return;
        }
        PageRequest page = PageRequest.from(ctx);
        String stateText = ctx.request().getParam("state");
        RunStatus state = null;
        if (stateText != null) {
            Optional<RunStatus> parsed = RunStatus.fromDbName(stateText);
            if (parsed.isEmpty()) {
                Problem.badRequest("invalid-state", "state must be one of pending, running, succeeded, failed, "
                        + "timed_out, cancelled, host_lost; got '" + stateText + "'").send(ctx);
                return;
            }
            state = parsed.get();
        }
        tasks.runs(id.get(), state, page.limit(), page.cursor()).onSuccess(result -> {
            JsonArray items = new JsonArray();
            result.items().forEach(run -> items.add(run(id.get(), run)));
            HostRoutes.json(ctx, 200, new JsonObject().put("items", items).put("next", result.next()));
        }).onFailure(e -> fail(ctx, e));
    }

    /** One stream of one run, whole, as text: where a page's cut output links to. */
    private void output(RoutingContext ctx) {
        Optional<UUID> id = taskId(ctx);
        if (id.isEmpty()) {
            return;
        }
        UUID runId;
        try {
            runId = UUID.fromString(ctx.pathParam("runId"));
        } catch (IllegalArgumentException e) {
            Problem.badRequest("invalid-run-id", "runId must be a UUID; got '" + ctx.pathParam("runId") + "'").send(ctx);
            return;
        }
        String stream = ctx.request().getParam("stream", "stdout");
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            Problem.badRequest("invalid-stream", "stream must be stdout or stderr; got '" + stream + "'").send(ctx);
            return;
        }
        tasks.output(id.get(), runId, stream.equals("stderr")).onSuccess(found -> {
            if (found.isEmpty()) {
                Problem.of(404, "not-found", "Not found", "task " + id.get() + " has no run " + runId).send(ctx);
                return;
            }
            ctx.response().setStatusCode(200).putHeader("Content-Type", "text/plain; charset=utf-8").end(found.get());
        }).onFailure(e -> fail(ctx, e));
    }

    private void cancel(RoutingContext ctx) {
        Optional<UUID> id = taskId(ctx);
        if (id.isEmpty()) {
            return;
        }
        tasks.cancel(id.get())
                .compose(cancelled -> tasks.find(id.get()))
                .onSuccess(task -> HostRoutes.json(ctx, 200, task(task.orElseThrow(), false)))
                .onFailure(e -> fail(ctx, e));
    }

    /**
     * {@code event: progress} with the task's counts and state whenever they change, then
     * {@code event: done} once every run is terminal, then the stream ends. A comment line every
     * 15 s keeps idle connections open through proxies. Progress comes from the task service's
     * shared poller: many streams of one task cost one count query per tick.
     */
    private void events(RoutingContext ctx) {
        Optional<UUID> id = taskId(ctx);
        if (id.isEmpty()) {
            return;
        }
        new ProgressStream(id.get(), ctx).start();
    }

    /** One client's event stream, fed by the shared progress poller of its task. */
    private final class ProgressStream implements TaskProgressFeed.Watcher {
        private final UUID taskId;
        private final RoutingContext ctx;
        private final HttpServerResponse response;
        private TaskProgressFeed.Watching watching;
        private long keepAliveTimer = -1;
        private boolean started;
        private boolean closed;

        ProgressStream(UUID taskId, RoutingContext ctx) {
            this.taskId = taskId;
            this.ctx = ctx;
            this.response = ctx.response();
        }

        void start() {
            response.closeHandler(v -> close());
            TaskProgressFeed.Watching handle = tasks.watch(taskId, this);
            boolean over;
            synchronized (this) {
                watching = handle;
                over = closed;
            }
            if (over) {
                handle.close();
            }
        }

        @Override
        public void progress(TaskProgress progress) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (!started) {
                    started = true;
                    response.setStatusCode(200)
                            .setChunked(true)
                            .putHeader("Content-Type", "text/event-stream")
                            .putHeader("Cache-Control", "no-cache");
                    keepAliveTimer = vertx.setPeriodic(KEEP_ALIVE.toMillis(), t -> keepAlive());
                }
                write("progress", progress);
                if (progress.state().terminal()) {
                    write("done", progress);
                    response.end();
                }
            }
            if (progress.state().terminal()) {
                close();
            }
        }

        @Override
        public void missing() {
            boolean answered;
            synchronized (this) {
                answered = started || closed;
            }
            close();
            if (!answered) {
                fail(ctx, new TaskNotFoundException(taskId.toString()));
            } else if (!response.ended()) {
                response.end();
            }
        }

        private synchronized void keepAlive() {
            if (!closed) {
                response.write(": keep-alive\n\n");
            }
        }

        private void close() {
            TaskProgressFeed.Watching handle;
            synchronized (this) {
                closed = true;
                handle = watching;
                watching = null;
                if (keepAliveTimer >= 0) {
                    vertx.cancelTimer(keepAliveTimer);
                    keepAliveTimer = -1;
                }
            }
            if (handle != null) {
                handle.close();
            }
        }

        private void write(String event, TaskProgress progress) {
            JsonObject data = new JsonObject()
                    .put("id", taskId.toString())
                    .put("state", progress.state().apiName())
                    .put("total", progress.counts().total())
                    .put("counts", progress.counts().toJson());
            response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
        }
    }

    private static Optional<UUID> taskId(RoutingContext ctx) {
        String text = ctx.pathParam("id");
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            fail(ctx, new TaskNotFoundException(text));
            return Optional.empty();
        }
    }

    static JsonObject task(TaskView task, boolean withSpec) {
        JsonObject json = new JsonObject()
                .put("id", task.id().toString())
                .put("kind", task.kind())
                .put("state", task.state().apiName())
                .put("total", task.total())
                .put("counts", task.counts().toJson())
                .put("createdAt", iso(task.createdAt()))
                .put("target", task.target())
                .put("dryRun", task.dryRun())
                .put("timeoutSeconds", task.timeoutSeconds())
                .put("cancelledAt", iso(task.cancelledAt()));
        if (withSpec) {
            json.put("spec", task.spec());
        }
        return json;
    }

    static JsonObject run(UUID taskId, RunView run) {
        return new JsonObject()
                .put("runId", run.runId().toString())
                .put("hostId", run.hostId())
                .put("state", run.state().dbName())
                .put("exitCode", run.exitCode())
                .put("stdout", run.stdout())
                .put("stderr", run.stderr())
                .put("stdoutBytes", run.stdoutBytes())
                .put("stderrBytes", run.stderrBytes())
                .put("outputCut", run.outputCut())
                .put("output", run.outputCut() ? OutputPage.link(taskId, run.runId()) : null)
                .put("truncated", run.truncated())
                .put("startedAt", iso(run.startedAt()))
                .put("finishedAt", iso(run.finishedAt()))
                .put("reason", run.reason())
                .put("result", run.result());
    }

    private static String iso(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }

    private static Problem invalid(InvalidTaskRequestException invalid) {
        Problem problem = Problem.badRequest("invalid-task", invalid.getMessage());
        if (invalid.selectorColumn().isPresent()) {
            problem = problem.with("column", invalid.selectorColumn().get());
        }
        return problem;
    }

    /** Task errors become problems here; anything else goes to the API's failure handler (500). */
    private static void fail(RoutingContext ctx, Throwable e) {
        if (e instanceof InvalidTaskRequestException invalid) {
            invalid(invalid).send(ctx);
        } else if (e instanceof TaskNotFoundException) {
            Problem.notFound("task-not-found", e.getMessage()).send(ctx);
        } else if (e instanceof ProblemException) {
            ((ProblemException) e).problem().send(ctx);
        } else {
            ctx.fail(e);
        }
    }
}
