package io.muster.controller.graphql;

import io.muster.controller.task.TaskProgress;
import io.muster.controller.task.TaskService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The {@code taskProgress} subscription for one subscriber: looks at the task's counts every
 * interval (on a Vert.x timer, never blocking) and sends them when they changed and the
 * subscriber has demand; without demand the newest counts wait (older ones are dropped, only the
 * latest matters). Ends with {@code done = true} once every run is terminal, or with an error for
 * a task that does not exist or that the caller may not see. Methods may be called from any
 * thread; state is guarded by this object's monitor.
 */
final class TaskProgressPublisher implements Publisher<Map<String, Object>> {

    private final Vertx vertx;
    private final TaskService tasks;
    private final UUID taskId;
    private final Future<Boolean> visible;
    private final long intervalMs;

    TaskProgressPublisher(Vertx vertx, TaskService tasks, UUID taskId, Future<Boolean> visible, long intervalMs) {
        this.vertx = vertx;
        this.tasks = tasks;
        this.taskId = taskId;
        this.visible = visible;
        this.intervalMs = intervalMs;
    }

    @Override
    public void subscribe(Subscriber<? super Map<String, Object>> subscriber) {
        Watch watch = new Watch(subscriber);
        subscriber.onSubscribe(watch);
        visible.onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                watch.poll();
            } else {
                watch.fail(new IllegalArgumentException("no task with id " + taskId));
            }
        });
    }

    private final class Watch implements Subscription {
        private final Subscriber<? super Map<String, Object>> subscriber;
        private long demand;
        private TaskProgress sent;
        private TaskProgress waiting;
        private boolean finished;

        Watch(Subscriber<? super Map<String, Object>> subscriber) {
            this.subscriber = subscriber;
        }

        void poll() {
            tasks.progress(taskId).onComplete(ar -> {
                if (ar.failed()) {
                    // A database hiccup: look again at the next tick.
                    schedule();
                    return;
                }
                Optional<TaskProgress> progress = ar.result();
                if (progress.isEmpty()) {
                    fail(new IllegalArgumentException("no task with id " + taskId));
                    return;
                }
                offer(progress.get());
                schedule();
            });
        }

        private void schedule() {
            synchronized (this) {
                if (finished || (waiting != null && waiting.state().terminal())) {
                    return;
                }
            }
            vertx.setTimer(intervalMs, t -> poll());
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
        }
    }
}
