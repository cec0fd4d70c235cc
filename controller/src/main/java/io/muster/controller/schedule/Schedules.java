package io.muster.controller.schedule;

import io.muster.controller.auth.AuditLog;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.task.TaskService;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The schedule side of a member: the service the APIs use and the executor firing the schedules
 * this member owns, which starts with it.
 */
public final class Schedules implements AutoCloseable {

    /** How often a member looks for due ticks (a tick fires at most this late while its owner lives). */
    public static final Duration SCAN_INTERVAL = Duration.ofSeconds(1);

    private final ScheduleExecutor executor;
    private final ScheduleService service;

    /** @param owns whether a schedule id's partition is this member's (it fires those) */
    public Schedules(Vertx vertx, Pool pool, TaskService tasks, RolloutService rollouts, AuditLog audit, String memberId,
                     Predicate<String> owns) {
        ScheduleRepository repository = new ScheduleRepository(pool);
        this.executor = new ScheduleExecutor(vertx, repository, tasks, rollouts, audit, memberId, Clock.systemUTC(), SCAN_INTERVAL);
        this.service = new ScheduleService(repository, Clock.systemUTC());
        executor.start(owns);
    }

    public ScheduleService service() {
        return service;
    }

    @Override
    public void close() {
        executor.close();
    }
}
