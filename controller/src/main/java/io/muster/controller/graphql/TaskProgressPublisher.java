package io.muster.controller.graphql;

import io.muster.controller.task.TaskProgress;
import io.muster.controller.task.TaskProgressFeed;
import io.muster.controller.task.TaskService;
import io.vertx.core.Future;
import java.util.Map;
import java.util.UUID;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The {@code taskProgress} subscription for one subscriber: watches the task through the task
 * service's shared progress poller (one count query per task per tick on this member, whatever
 * the number of subscribers) and sends the counts when they changed and the subscriber has demand; without demand the newest counts wait (older ones are dropped, only the
 * latest matters). Ends with {@code done = true} once every run is terminal, or with an error for
 * a task that does not exist or that the caller may not see. Methods may be called from any
 * thread; state is guarded by this object's monitor.
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
        Watch watch = new Watch(subscriber);
        subscriber.onSubscribe(watch);
        visible.onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                watch.start();
            } else {
                watch.fail(new IllegalArgumentException("no task with id " + taskId));
            }
        });
    }

    private final class Watch implements Subscription, TaskProgressFeed.Watcher {
        private final Subscriber<? super Map<String, Object>> subscriber;
        private long demand;
        private TaskProgress sent;
        private TaskProgress waiting;
        private boolean finished;
        private TaskProgressFeed.Watching watching;

        Watch(Subscriber<? super Map<String, Object>> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            TaskProgressFeed.Watching handle = tasks.watch(taskId, this);
            boolean over;
            synchronized (this) {
                watching = handle;
                over = finished;
            }
            if (over) {
                stopWatching();
            }
        }

        @Override
        public void progress(TaskProgress progress) {
            offer(progress);
        }

        @Override
        public void missing() {
            fail(new IllegalArgumentException("no task with id " + taskId));
        }

        private void stopWatching() {
            TaskProgressFeed.Watching handle;
            synchronized (this) {
                handle = watching;
                watching = null;
            }
            if (handle != null) {
                handle.close();
            }
        }

        private void offer(TaskProgress progress) {
            synchronized (this) {
                if (finished || progress.equals(sent) || progress.equals(waiting)) {
                    return;
                }
                waiting = progress;
            }
            drain();
        }

        private void drain() {
            TaskProgress next;
            boolean complete;
            synchronized (this) {
                if (finished || waiting == null || demand == 0) {
                    return;
                }
                next = waiting;
                waiting = null;
                sent = next;
                demand--;
                complete = next.state().terminal();
                finished = complete;
            }
            subscriber.onNext(TaskFetchers.progress(taskId, next));
            if (complete) {
                stopWatching();
                subscriber.onComplete();
            }
        }

        void fail(Throwable error) {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
            }
            stopWatching();
            subscriber.onError(error);
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                fail(new IllegalArgumentException("request must be positive, got " + n));
                return;
            }
            synchronized (this) {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            drain();
        }

        @Override
        public void cancel() {
            synchronized (this) {
                finished = true;
            }
            stopWatching();
        }
    }
}
