package io.muster.controller.fleet;

import io.grpc.Status;
import io.muster.controller.task.TaskProgressFeed;
import io.muster.controller.task.TaskService;
import io.muster.proto.v1.TaskProgress;
import java.util.UUID;

/**
 * One WatchTask stream: watches the task through the task service's shared progress poller (one
 * count query per task per tick on this member, whatever the number of streams), sends the counts
 * when they changed, and ends after the message with {@code done = true}. A slow client gets the
 * newest counts only ({@link StreamOutbox}). NOT_FOUND for an unknown task. Callbacks come on
 * Vert.x context threads and never block.
 */
final class TaskWatch implements TaskProgressFeed.Watcher {

    private final TaskService tasks;
    private final UUID taskId;
    private final StreamOutbox<TaskProgress> out;
    private TaskProgress last;
    private volatile TaskProgressFeed.Watching watching;

    TaskWatch(TaskService tasks, UUID taskId, StreamOutbox<TaskProgress> out) {
        this.tasks = tasks;
        this.taskId = taskId;
        this.out = out;
    }

    void start() {
        watching = tasks.watch(taskId, this);
        out.onCancel(watching::close);
    }

    @Override
    public void progress(io.muster.controller.task.TaskProgress counts) {
        TaskProgress progress = TaskMessages.progress(taskId, counts);
        synchronized (this) {
            if (progress.equals(last)) {
                return;
            }
            last = progress;
        }
        out.offer("progress", progress);
        if (progress.getDone()) {
            out.completeWhenDrained();
        }
    }

    @Override
    public void missing() {
        out.fail(Status.NOT_FOUND.withDescription("no task with id " + taskId).asRuntimeException());
    }
}
