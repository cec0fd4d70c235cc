package io.muster.controller.fleet;

import io.grpc.Status;
import io.muster.controller.task.TaskService;
import io.muster.proto.v1.TaskProgress;
import io.vertx.core.Vertx;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WatchTask stream: looks at the task's counts every interval (a Vert.x timer, never
 * blocking), sends them when they changed, and ends after the message with {@code done = true}.
 * A slow client gets the newest counts only ({@link StreamOutbox}). NOT_FOUND for an unknown task.
 */
final class TaskWatch {

    private static final Logger LOG = LoggerFactory.getLogger(TaskWatch.class);

    private final Vertx vertx;
    private final TaskService tasks;
    private final UUID taskId;
    private final StreamOutbox<TaskProgress> out;
    private final long intervalMs;
    private TaskProgress last;

    TaskWatch(Vertx vertx, TaskService tasks, UUID taskId, StreamOutbox<TaskProgress> out, long intervalMs) {
        this.vertx = vertx;
        this.tasks = tasks;
        this.taskId = taskId;
        this.out = out;
        this.intervalMs = intervalMs;
    }

    void start() {
        poll(true);
    }

    private void poll(boolean first) {
        if (out.closed()) {
            return;
        }
        tasks.progress(taskId).onComplete(ar -> {
            if (ar.failed()) {
                if (first) {
                    LOG.warn("WatchTask failed", ar.cause());
                    out.fail(Status.INTERNAL.withDescription("WatchTask failed on the controller; see its log").asRuntimeException());
                    return;
                }
                // A database hiccup mid-watch: look again at the next tick.
                vertx.setTimer(intervalMs, t -> poll(false));
                return;
            }
            if (ar.result().isEmpty()) {
                out.fail(Status.NOT_FOUND.withDescription("no task with id " + taskId).asRuntimeException());
                return;
            }
            TaskProgress progress = TaskMessages.progress(taskId, ar.result().get());
            if (!progress.equals(last)) {
                last = progress;
                out.offer("progress", progress);
            }
            if (progress.getDone()) {
                out.completeWhenDrained();
            } else {
                vertx.setTimer(intervalMs, t -> poll(false));
            }
        });
    }
}
