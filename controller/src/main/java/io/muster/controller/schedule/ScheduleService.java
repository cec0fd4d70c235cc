package io.muster.controller.schedule;

import io.muster.controller.task.Page;
import io.muster.controller.task.TaskCreator;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * What the APIs do with schedules: create, read (with the next ticks and the latest firings),
 * change, delete, pause and resume. Firing is the {@link ScheduleExecutor}'s. Every method
 * completes after its change is committed. Thread-safe; never blocks.
 */
public final class ScheduleService {

    /** How many of the latest firings a schedule's view shows. */
    public static final int HISTORY = 50;

    private final ScheduleRepository schedules;
    private final Clock clock;
    private final ScheduleRequestParser parser = new ScheduleRequestParser();

    public ScheduleService(ScheduleRepository schedules, Clock clock) {
        this.schedules = schedules;
        this.clock = clock;
    }

    /**
     * @param body    the request body as JSON
     * @param creator who asks (the tasks and rollouts it creates are theirs), or null
     * @return the new schedule's view; fails with {@link InvalidScheduleException} naming the
     *     field, or {@link ScheduleConflictException} when the name is taken
     */
    public Future<JsonObject> create(JsonObject body, TaskCreator creator) {
        Instant now = clock.instant();
        ScheduleSpec spec;
        try {
            spec = parser.parse(body, now);
        } catch (InvalidScheduleException e) {
            return Future.failedFuture(e);
        }
        return schedules.insert(UUID.randomUUID(), spec, now, creator == null ? null : creator.tokenId(),
                creator == null ? null : creator.name()).map(r -> ScheduleViews.full(r, now, java.util.List.of()));
    }

    /** The full view, or empty. */
    public Future<Optional<JsonObject>> find(UUID id) {
        return schedules.find(id).compose(found -> found.isEmpty() ? Future.succeededFuture(Optional.empty())
                : schedules.firings(id, HISTORY).map(firings -> Optional.of(ScheduleViews.full(found.get(), clock.instant(), firings))));
    }

    public Future<Page<JsonObject>> list(int limit, String cursor) {
        Instant now = clock.instant();
        return schedules.list(limit, cursor).map(page -> new Page<>(page.items().stream()
                .map(r -> ScheduleViews.summary(r, now)).toList(), page.next()));
    }

    /**
     * Changes the fields in {@code patch}. A new cron or time zone restarts the count: {@code @every}
     * periods start now, and no tick at or before now fires.
     */
    public Future<JsonObject> change(UUID id, JsonObject patch) {
        Instant now = clock.instant();
        return schedules.find(id).compose(found -> {
            ScheduleRecord current = found.orElseThrow(() -> notFound(id));
            ScheduleSpec changed = parser.change(current.spec(), patch, now);
            boolean newTicks = !changed.cron().equals(current.spec().cron()) || !changed.timezone().equals(current.spec().timezone());
            return schedules.update(id, changed, newTicks ? now : current.anchor(), newTicks ? now : current.notBefore(), now);
        }).compose(updated -> updated.isEmpty() ? Future.failedFuture(notFound(id)) : find(id).map(Optional::orElseThrow));
    }

    public Future<Void> delete(UUID id) {
        return schedules.delete(id).compose(deleted -> deleted ? Future.succeededFuture() : Future.failedFuture(notFound(id)));
    }

    /** @return the view; fails with {@link ScheduleConflictException} when it is paused already */
    public Future<JsonObject> pause(UUID id) {
        return setPaused(id, true);
    }

    /** Resumes with the next tick after now: ticks that passed while paused never fire. */
    public Future<JsonObject> resume(UUID id) {
        return setPaused(id, false);
    }

    private Future<JsonObject> setPaused(UUID id, boolean paused) {
        return schedules.setPaused(id, paused, clock.instant()).compose(moved -> {
            if (moved.isPresent()) {
                return find(id).map(Optional::orElseThrow);
            }
            return schedules.find(id).compose(found -> Future.failedFuture(found.isEmpty() ? notFound(id)
                    : new ScheduleConflictException("schedule " + id + " is " + (paused ? "paused" : "running") + " already")));
        });
    }

    private static ScheduleNotFoundException notFound(UUID id) {
        return new ScheduleNotFoundException("no schedule with id " + id);
    }
}
