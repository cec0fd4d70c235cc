package io.muster.controller.fleet;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.muster.controller.rollout.InvalidRolloutException;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.schedule.InvalidScheduleException;
import io.muster.controller.schedule.ScheduleService;
import io.muster.controller.task.Page;
import io.muster.proto.v1.GetRolloutRequest;
import io.muster.proto.v1.GetScheduleRequest;
import io.muster.proto.v1.ListRolloutsRequest;
import io.muster.proto.v1.ListRolloutsResponse;
import io.muster.proto.v1.ListSchedulesRequest;
import io.muster.proto.v1.ListSchedulesResponse;
import io.muster.proto.v1.Rollout;
import io.muster.proto.v1.Schedule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * FleetControl's reads of rollouts and schedules: the REST views, carried as a Struct next to the
 * few fields a client switches on. Non-blocking: each call completes from a future. A bad page
 * size or token is INVALID_ARGUMENT naming it; an unknown id is NOT_FOUND.
 */
final class SchedulerQueries {

    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1000;

    private final RolloutService rollouts;
    private final ScheduleService schedules;

    SchedulerQueries(RolloutService rollouts, ScheduleService schedules) {
        this.rollouts = rollouts;
        this.schedules = schedules;
    }

    void listRollouts(ListRolloutsRequest request, StreamObserver<ListRolloutsResponse> response) {
        Integer size = pageSize(request.getPageSize(), response);
        if (size == null) {
            return;
        }
        answer(rollouts.list(size, token(request.getPageToken())), page -> {
            ListRolloutsResponse.Builder out = ListRolloutsResponse.newBuilder().setNextPageToken(next(page));
            page.items().forEach(view -> out.addRollouts(rollout(view)));
            return out.build();
        }, response);
    }

    void getRollout(GetRolloutRequest request, StreamObserver<Rollout> response) {
        one(request.getRolloutId(), "rollout", rollouts::find, SchedulerQueries::rollout, response);
    }

    void listSchedules(ListSchedulesRequest request, StreamObserver<ListSchedulesResponse> response) {
        Integer size = pageSize(request.getPageSize(), response);
        if (size == null) {
            return;
        }
        answer(schedules.list(size, token(request.getPageToken())), page -> {
            ListSchedulesResponse.Builder out = ListSchedulesResponse.newBuilder().setNextPageToken(next(page));
            page.items().forEach(view -> out.addSchedules(schedule(view)));
            return out.build();
        }, response);
    }

    void getSchedule(GetScheduleRequest request, StreamObserver<Schedule> response) {
        one(request.getScheduleId(), "schedule", schedules::find, SchedulerQueries::schedule, response);
    }

    static Rollout rollout(JsonObject view) {
        return Rollout.newBuilder().setId(view.getString("id")).setState(view.getString("state"))
                .setReason(view.getString("reason", "") == null ? "" : view.getString("reason", ""))
                .setTotal(view.getInteger("total")).setView(struct(view)).build();
    }

    private static Schedule schedule(JsonObject view) {
        Schedule.Builder out = Schedule.newBuilder().setId(view.getString("id")).setName(view.getString("name"))
                .setCron(view.getString("cron")).setTimezone(view.getString("timezone")).setPaused(view.getBoolean("paused"))
                .setView(struct(view));
        view.getJsonArray("nextFirings").forEach(tick -> out.addNextFirings((String) tick));
        return out.build();
    }

    private static <T> void one(String text, String what, Function<UUID, Future<Optional<JsonObject>>> find,
                                Function<JsonObject, T> convert, StreamObserver<T> response) {
        UUID id;
        try {
            id = UUID.fromString(text.trim());
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(what + "_id must be a " + what + "'s UUID, got '" + text + "'")
                    .asRuntimeException());
            return;
        }
        answer(find.apply(id), found -> found.map(convert).orElse(null), response, "no " + what + " with id " + id);
    }

    private static <P, T> void answer(Future<P> future, Function<P, T> convert, StreamObserver<T> response) {
        answer(future, convert, response, null);
    }

    private static <P, T> void answer(Future<P> future, Function<P, T> convert, StreamObserver<T> response, String notFound) {
        future.onComplete(ar -> {
            if (ar.succeeded()) {
                T message = convert.apply(ar.result());
                if (message == null) {
                    response.onError(Status.NOT_FOUND.withDescription(notFound).asRuntimeException());
                } else {
                    response.onNext(message);
                    response.onCompleted();
                }
            } else if (ar.cause() instanceof InvalidRolloutException || ar.cause() instanceof InvalidScheduleException) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("page_token: " + ar.cause().getMessage()).asRuntimeException());
            } else {
                response.onError(Status.INTERNAL.withDescription("the read failed on the controller; see its log").asRuntimeException());
            }
        });
    }

    private static Integer pageSize(int requested, StreamObserver<?> response) {
        if (requested == 0) {
            return DEFAULT_PAGE;
        }
        if (requested < 0 || requested > MAX_PAGE) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("page_size must be 0 (the default, " + DEFAULT_PAGE
                    + ") or 1.." + MAX_PAGE + ", got " + requested).asRuntimeException());
            return null;
        }
        return requested;
    }

    private static String token(String token) {
        return token.isEmpty() ? null : token;
    }

    private static String next(Page<JsonObject> page) {
        return page.next() == null ? "" : page.next();
    }

    private static Struct struct(JsonObject view) {
        Struct.Builder struct = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(view.encode(), struct);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a view that is not a JSON object: " + e.getMessage(), e);
        }
        return struct.build();
    }
}
