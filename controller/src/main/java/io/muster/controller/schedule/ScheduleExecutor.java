package io.muster.controller.schedule;

import io.muster.controller.auth.AuditLog;
import io.muster.controller.cluster.OwnedScan;
import io.muster.controller.rollout.InvalidRolloutException;
import io.muster.controller.rollout.RolloutRequestParser;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.TaskRequestParser;
import io.muster.controller.task.TaskService;
import io.muster.scheduler.schedule.Firing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires the schedules this member owns (the owner of a schedule is the member owning its id's
 * Hazelcast partition). Every {@code interval} it lists the schedules that are not paused and,
 * for each one it owns, asks {@link Firing#due} which tick to fire now. A tick is claimed by
 * inserting its (schedule_id, tick) row with the id of the task or rollout it will create, and
 * only then is that task or rollout created with that id: two members that both believe they own
 * a schedule (partitions moving) claim the tick once between them, and a member that claimed a
 * tick and died before creating its task leaves a row that the next owner completes.
 *
 * <p>Threading: all work is chained futures on the Vert.x context; one schedule is handled by one
 * chain at a time on this member.
 */
public final class ScheduleExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleExecutor.class);

    private final ScheduleRepository schedules;
    private final TaskService tasks;
    private final RolloutService rollouts;
    private final AuditLog audit;
    private final String memberId;
    private final Clock clock;
    private final OwnedScan scanner;
    private final Set<UUID> busy = ConcurrentHashMap.newKeySet();
    private final TaskRequestParser taskParser = new TaskRequestParser();
    private final RolloutRequestParser rolloutParser = new RolloutRequestParser();

    public ScheduleExecutor(Vertx vertx, ScheduleRepository schedules, TaskService tasks, RolloutService rollouts,
                            AuditLog audit, String memberId, Clock clock, Duration interval) {
        this.schedules = schedules;
        this.tasks = tasks;
        this.rollouts = rollouts;
        this.audit = audit;
        this.memberId = memberId;
        this.clock = clock;
        this.scanner = new OwnedScan(vertx, interval, this::pass);
    }

    /** Starts scanning; {@code owns} says whether this member owns a schedule id now. */
    public void start(Predicate<String> owns) {
        scanner.start(owns);
    }

    private Future<?> pass() {
        return complete().compose(v -> schedules.active()).compose(this::fireDue)
                .onFailure(e -> LOG.warn("schedule scan failed, next scan retries: {}", e.toString()));
    }

    private Future<Void> fireDue(List<ScheduleRepository.Active> active) {
        Instant now = clock.instant();
        List<Future<Void>> firing = new ArrayList<>();
        for (ScheduleRepository.Active a : active) {
            ScheduleRecord s = a.schedule();
            if (!scanner.owns(s.id())) {
                continue;
            }
            Instant after = a.lastTick() == null || a.lastTick().isBefore(s.notBefore()) ? s.notBefore() : a.lastTick();
            Optional<Instant> due;
            try {
                due = Firing.due(s.cron(), after, now, s.spec().catchUp());
            } catch (RuntimeException e) {
                LOG.warn("schedule {} has an expression that no longer parses: {}", s.id(), e.toString());
                continue;
            }
            if (due.isPresent() && busy.add(s.id())) {
                firing.add(fire(s, due.get()).onComplete(ar -> busy.remove(s.id())).recover(e -> {
                    LOG.warn("schedule {} tick {}: {}", s.id(), due.get(), e.toString());
                    return Future.succeededFuture();
                }));
            }
        }
        return Future.join(firing).mapEmpty();
    }

    private Future<Void> fire(ScheduleRecord s, Instant tick) {
        if (s.spec().concurrencyPolicy() == ScheduleSpec.ConcurrencyPolicy.ALLOW) {
            return claimAndCreate(s, tick);
        }
        return schedules.stillGoing(s.id()).compose(going -> {
            if (going.isEmpty()) {
                return claimAndCreate(s, tick);
            }
            UUID[] latest = going.get(0);
            String what = latest[0] != null ? "task " + latest[0] : "rollout " + latest[1];
            if (s.spec().concurrencyPolicy() == ScheduleSpec.ConcurrencyPolicy.FORBID) {
                String reason = "concurrencyPolicy forbid: " + what + " of an earlier tick is still going";
                return schedules.claim(new ScheduleFiring(s.id(), tick, "skipped", null, null, reason, memberId, null), true)
                        .map(claimed -> {
                            if (claimed) {
                                LOG.info("schedule {} ({}) skipped tick {}: {}", s.id(), s.spec().name(), tick, reason);
                                audit.record("member:" + memberId, "schedule owner", "schedule.skipped", "schedule:" + s.id(),
                                        200, "tick " + tick + ": " + reason);
                            }
                            return null;
                        });
            }
            List<Future<?>> stops = new ArrayList<>();
            for (UUID[] pair : going) {
                stops.add(pair[0] != null ? tasks.cancel(pair[0]) : rollouts.abort(pair[1]));
            }
            // A task or rollout that ended meanwhile refuses the cancel; the new tick fires anyway.
            return Future.join(stops).otherwiseEmpty().compose(v -> {
                LOG.info("schedule {} ({}) tick {} replaces {} earlier firing(s)", s.id(), s.spec().name(), tick, going.size());
                return claimAndCreate(s, tick);
            });
        });
    }

    private Future<Void> claimAndCreate(ScheduleRecord s, Instant tick) {
        UUID id = UUID.randomUUID();
        boolean task = s.spec().action() == ScheduleSpec.Action.TASK;
        ScheduleFiring firing = new ScheduleFiring(s.id(), tick, "fired", task ? id : null, task ? null : id, null, memberId, null);
        return schedules.claim(firing, false).compose(claimed -> {
            if (!claimed) {
                LOG.debug("schedule {} tick {} was handled by another member", s.id(), tick);
                return Future.succeededFuture();
            }
            LOG.info("schedule {} ({}) fired tick {}: {} {}", s.id(), s.spec().name(), tick, s.spec().action().wireName(), id);
            audit.record("member:" + memberId, "schedule owner", "schedule.fired", "schedule:" + s.id(), 200,
                    "tick " + tick + ": " + s.spec().action().wireName() + " " + id);
            return create(s, tick, id);
        });
    }

    // Creates the claimed tick's task or rollout with its recorded id, then marks the firing created.
    private Future<Void> create(ScheduleRecord s, Instant tick, UUID id) {
        Future<?> created;
        try {
            created = s.spec().action() == ScheduleSpec.Action.TASK
                    ? tasks.create(id, taskParser.parse(s.spec().request()).createdBy(s.creator()))
                    : rollouts.create(id, rolloutParser.parse(s.spec().request()).createdBy(s.creator()));
        } catch (InvalidTaskRequestException | InvalidRolloutException e) {
            created = Future.failedFuture(e);
        }
        return created.<Void>mapEmpty().compose(v -> schedules.created(s.id(), tick, null), e -> {
            if (e instanceof InvalidTaskRequestException || e instanceof InvalidRolloutException) {
                LOG.info("schedule {} ({}) tick {} created nothing: {}", s.id(), s.spec().name(), tick, e.getMessage());
                audit.record("member:" + memberId, "schedule owner", "schedule.failed", "schedule:" + s.id(), 400,
                        "tick " + tick + ": " + e.getMessage());
                return schedules.created(s.id(), tick, e.getMessage());
            }
            // Anything else (the database): the firing stays uncreated and the next scan completes it.
            return Future.failedFuture(e);
        });
    }

    // Firings claimed by an owner that died (or failed) before their task or rollout was created.
    private Future<Void> complete() {
        return schedules.uncreated().compose(found -> {
            Future<Void> chain = Future.succeededFuture();
            for (ScheduleRepository.Uncreated u : found) {
                if (!scanner.owns(u.scheduleId()) || !busy.add(u.scheduleId())) {
                    continue;
                }
                chain = chain.compose(v -> completeOne(u).onComplete(ar -> busy.remove(u.scheduleId())).recover(e -> {
                    LOG.warn("schedule {} tick {}: could not complete its firing yet: {}", u.scheduleId(), u.tick(), e.toString());
                    return Future.succeededFuture();
                }));
            }
            return chain;
        });
    }

    private Future<Void> completeOne(ScheduleRepository.Uncreated u) {
        if (u.exists()) {
            return schedules.created(u.scheduleId(), u.tick(), null);
        }
        return schedules.find(u.scheduleId()).compose(found -> {
            if (found.isEmpty()) {
                return Future.succeededFuture();
            }
            UUID id = u.taskId() != null ? u.taskId() : u.rolloutId();
            ScheduleSpec.Action claimedAs = u.taskId() != null ? ScheduleSpec.Action.TASK : ScheduleSpec.Action.ROLLOUT;
            if (found.get().spec().action() != claimedAs) {
                return schedules.created(u.scheduleId(), u.tick(), "the schedule was changed to create a "
                        + found.get().spec().action().wireName() + " before this tick's " + claimedAs.wireName() + " was created");
            }
            LOG.info("schedule {} tick {}: creating {} {} claimed before a takeover", u.scheduleId(), u.tick(),
                    found.get().spec().action().wireName(), id);
            return create(found.get(), u.tick(), id);
        });
    }

    @Override
    public void close() {
        scanner.close();
    }
}
