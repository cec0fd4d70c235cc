package io.muster.controller.task;

import io.muster.scheduler.selector.SqlFragment;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API does with tasks: accept (write, then dispatch), cancel, and read.
 *
 * <p>Guarantee: a task's future from {@link #create} completes only after the task and all its
 * runs are committed; dispatch starts after that and is best effort (hosts that miss it load
 * their open runs when they connect). Thread-safe; never blocks.
 */
public final class TaskService {

    private static final Logger log = LoggerFactory.getLogger(TaskService.class);

    private final TaskRepository tasks;
    private final RunDispatch dispatch;
    private final String memberId;
    private final Supplier<UUID> ids;
    private final TaskProgressFeed feed;
    private final TaskSecrets secrets;

    /** @param secrets what gives new tasks their secrets (see {@link TaskSecrets}) */
    public TaskService(TaskRepository tasks, RunDispatch dispatch, String memberId, TaskProgressFeed feed,
                       TaskSecrets secrets) {
        this(tasks, dispatch, memberId, UUID::randomUUID, feed, secrets);
    }

    public TaskService(TaskRepository tasks, RunDispatch dispatch, String memberId, Supplier<UUID> ids,
                       TaskProgressFeed feed, TaskSecrets secrets) {
        this.secrets = secrets;
        this.tasks = tasks;
        this.dispatch = dispatch;
        this.memberId = memberId;
        this.ids = ids;
        this.feed = feed;
    }

    /**
     * @return the committed task; fails with {@link InvalidTaskRequestException} when the target
     *     names no host (nothing written)
     */
    public Future<CreatedTask> create(TaskRequest request) {
        return create(ids.get(), request);
    }

    /**
     * As {@link #create(TaskRequest)} with an id chosen by the caller, who recorded it first (a
     * rollout step): a second create with the same id fails on the primary key and writes nothing.
     */
    public Future<CreatedTask> create(UUID taskId, TaskRequest request) {
        return secrets.issue(taskId, request)
                .compose(withSecrets -> tasks.create(taskId, withSecrets, memberId))
                .onSuccess(created -> {
                    log.info("task {} ({}) accepted for {} hosts", created.taskId(), request.kind().wireName(),
                            created.runs().size());
                    dispatch.assign(created.header(), created.runs());
                });
    }

    /** @return fails with {@link TaskNotFoundException} for an unknown task */
    public Future<CancelledTask> cancel(UUID taskId) {
        return tasks.cancel(taskId).onSuccess(cancelled -> {
            log.info("task {} cancelled: {} pending runs ended, {} running runs told to stop", taskId,
                    cancelled.cancelledPending().size(), cancelled.running().size());
            // Pending runs too: their assignment may already be on the way to the agent.
            dispatch.cancel(cancelled.cancelledPending(), "task cancelled");
            dispatch.cancel(cancelled.running(), "task cancelled");
            feed.changed(List.of(taskId));
        });
    }

    public Future<Optional<TaskView>> find(UUID taskId) {
        return tasks.find(taskId);
    }

    public Future<Page<TaskView>> list(int limit, String cursor) {
        return tasks.list(limit, cursor);
    }

    /** See {@link TaskRepository#list(int, String, SqlFragment)}. */
    public Future<Page<TaskView>> list(int limit, String cursor, SqlFragment visible) {
        return tasks.list(limit, cursor, visible);
    }

    public Future<Page<RunView>> runs(UUID taskId, RunStatus state, int limit, String cursor) {
        return tasks.runs(taskId, state, limit, cursor);
    }

    /** One stream of one run, whole; empty when the task has no such run. */
    public Future<Optional<io.vertx.core.buffer.Buffer>> output(UUID taskId, UUID runId, boolean stderr) {
        return tasks.output(taskId, runId, stderr);
    }

    public Future<Optional<TaskProgress>> progress(UUID taskId) {
        return tasks.progress(taskId);
    }

    /**
     * Watches a task's progress through this member's shared poller (see {@link TaskProgressFeed}):
     * any number of watchers of one task cost one count query per tick.
     *
     * @return closing it stops watching
     */
    public TaskProgressFeed.Watching watch(UUID taskId, TaskProgressFeed.Watcher watcher) {
        return feed.watch(taskId, watcher);
    }

    /** The shared progress pollers of this member. */
    public TaskProgressFeed progressFeed() {
        return feed;
    }
}
