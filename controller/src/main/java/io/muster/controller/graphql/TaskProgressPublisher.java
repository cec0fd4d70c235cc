package io.muster.controller.graphql;

import io.muster.controller.task.TaskProgress;
import io.muster.controller.task.TaskProgressFeed;
import io.muster.controller.task.TaskService;
import io.vertx.core.Future;
import java.util.Map;
import java.util.UUID;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * The {@code taskProgress} subscription for one subscriber: watches the task through the task
 * service's shared progress poller (one count query per task per tick on this member, whatever
 * the number of subscribers) and sends the counts when they changed and the subscriber has
 * demand; without demand the newest counts wait (older ones are dropped, only the latest
 * matters). Ends with {@code done = true} once every run is terminal, or with an error for a task
 * that does not exist or that the caller may not see.
 */
final class TaskProgressPublisher implements Publisher<Map<String, Object>> {

    private final TaskService tasks;
    private final UUID taskId;
    private final Future<Boolean> visible;

    TaskProgressPublisher(TaskService tasks, UUID taskId, Future<Boolean> visible) {
        this.tasks = tasks;
        this.taskId = taskId;
        this.visible = visible;
    }

    @Override
    public void subscribe(Subscriber<? super Map<String, Object>> subscriber) {
        new Watch(subscriber).begin(visible, "no task with id " + taskId);
    }

    private final class Watch extends ProgressSubscription<TaskProgress> implements TaskProgressFeed.Watcher {

        Watch(Subscriber<? super Map<String, Object>> subscriber) {
            super(subscriber);
        }

        @Override
        Runnable watch() {
            return tasks.watch(taskId, this)::close;
        }

        @Override
        Map<String, Object> render(TaskProgress progress) {
            return TaskFetchers.progress(taskId, progress);
        }

        // Counts already sent or waiting are not sent again; only a change is.
        @Override
        boolean repeats(TaskProgress progress, TaskProgress sent, TaskProgress waiting) {
            return progress.equals(sent) || progress.equals(waiting);
        }

        @Override
        public void progress(TaskProgress progress) {
            offer(progress, progress.state().terminal());
        }

        @Override
        public void missing() {
            fail(new IllegalArgumentException("no task with id " + taskId));
        }
    }
}
