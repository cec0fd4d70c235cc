package io.muster.controller.fleet;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.muster.controller.access.Principal;
import io.muster.controller.auth.FleetAuthorization;
import io.muster.controller.rollout.InvalidRolloutException;
import io.muster.controller.rollout.RolloutFeed;
import io.muster.controller.rollout.RolloutRequest;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.TaskCreator;
import io.muster.proto.v1.Rollout;
import io.muster.proto.v1.SubmitRolloutRequest;
import io.muster.proto.v1.WatchRolloutRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SubmitRollout and WatchRollout over the rollout service. The request becomes the REST API's
 * JSON body and goes through the same parser, so both refuse the same things; INVALID_ARGUMENT
 * then starts with the field at fault. A watch follows the rollout through a {@link RolloutFeed}
 * and writes under flow control ({@link StreamOutbox}: a slow client gets the newest view).
 */
final class RolloutControl {

    private static final Logger LOG = LoggerFactory.getLogger(RolloutControl.class);

    private final Vertx vertx;
    private final RolloutService rollouts;
    private final long intervalMs;

    RolloutControl(Vertx vertx, RolloutService rollouts, long intervalMs) {
        this.vertx = vertx;
        this.rollouts = rollouts;
        this.intervalMs = intervalMs;
    }

    void submit(SubmitRolloutRequest request, StreamObserver<Rollout> response) {
        RolloutRequest parsed;
        try {
            parsed = rollouts.parser().parse(json(request));
        } catch (InvalidRolloutException e) {
            invalid(response, e);
            return;
        }
        Principal caller = FleetAuthorization.PRINCIPAL.get();
        RolloutRequest owned = parsed.createdBy(caller == null ? null : new TaskCreator(caller.tokenId(), caller.name()));
        // create answers the id and plan size only; the reply is the full view, as GetRollout's.
        rollouts.create(owned).compose(created -> rollouts.find(UUID.fromString(created.getString("id"))))
                .map(found -> SchedulerQueries.rollout(found.orElseThrow())).onComplete(ar -> {
            if (ar.succeeded()) {
                response.onNext(ar.result());
                response.onCompleted();
            } else if (ar.cause() instanceof InvalidRolloutException e) {
                invalid(response, e);
            } else if (ar.cause() instanceof InvalidTaskRequestException e) {
                response.onError(Status.INVALID_ARGUMENT.withDescription("target: " + e.getMessage()).asRuntimeException());
            } else {
                TaskControl.internal(response, "SubmitRollout", ar.cause());
            }
        });
    }

    void watch(WatchRolloutRequest request, StreamObserver<Rollout> response) {
        UUID id;
        try {
            id = UUID.fromString(request.getRolloutId().trim());
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("rollout_id must be a rollout's UUID, got '"
                    + request.getRolloutId() + "'").asRuntimeException());
            return;
        }
        StreamOutbox<Rollout> out = new StreamOutbox<>((ServerCallStreamObserver<Rollout>) response);
        RolloutFeed feed = RolloutFeed.watch(vertx, rollouts, id, intervalMs, new RolloutFeed.Watcher() {
            @Override
            public void changed(JsonObject view, boolean over) {
                out.offer("rollout", SchedulerQueries.rollout(view));
                if (over) {
                    out.completeWhenDrained();
                }
            }

            @Override
            public void missing() {
                out.fail(Status.NOT_FOUND.withDescription("no rollout with id " + id).asRuntimeException());
            }

            @Override
            public void failed(Throwable cause) {
                LOG.warn("WatchRollout of {} failed", id, cause);
                out.fail(Status.INTERNAL.withDescription("WatchRollout failed on the controller; see its log").asRuntimeException());
            }
        });
        out.onCancel(feed::close);
    }

    private static void invalid(StreamObserver<?> response, InvalidRolloutException e) {
        response.onError(Status.INVALID_ARGUMENT.withDescription(e.field() + ": " + e.getMessage()).asRuntimeException());
    }

    /** The request as the REST API's JSON body, so one parser decides for both. */
    private static JsonObject json(SubmitRolloutRequest request) {
        boolean bySelector = !request.getSelector().isBlank();
        boolean byHosts = request.getHostIdsCount() > 0;
        if (bySelector == byHosts) {
            throw new InvalidRolloutException("target", "give exactly one of selector or host_ids");
        }
        JsonObject body = new JsonObject()
                .put("target", bySelector ? new JsonObject().put("selector", request.getSelector())
                        : new JsonObject().put("hosts", new JsonArray(request.getHostIdsList())))
                .put("kind", request.getKind())
                .put("spec", request.hasSpec() ? object(request.getSpec()) : new JsonObject());
        if (request.getTimeoutSeconds() != 0) {
            body.put("timeoutSeconds", request.getTimeoutSeconds());
        }
        if (request.getDryRun()) {
            body.put("dryRun", true);
        }
        if (request.hasStrategy()) {
            body.put("strategy", object(request.getStrategy()));
        }
        if (request.hasHealthCheck()) {
            body.put("healthCheck", object(request.getHealthCheck()));
        }
        if (request.hasOnFailure()) {
            body.put("onFailure", object(request.getOnFailure()));
        }
        return body;
    }

    private static JsonObject object(Struct struct) {
        JsonObject out = new JsonObject();
        struct.getFieldsMap().forEach((name, value) -> out.put(name, plain(value)));
        return out;
    }

    // A Struct has only doubles; the parser wants counts and seconds as whole numbers, as JSON gives them.
    private static Object plain(Value value) {
        return switch (value.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> null;
            case BOOL_VALUE -> value.getBoolValue();
            case STRING_VALUE -> value.getStringValue();
            case STRUCT_VALUE -> object(value.getStructValue());
            case LIST_VALUE -> {
                JsonArray list = new JsonArray();
                value.getListValue().getValuesList().forEach(item -> list.add(plain(item)));
                yield list;
            }
            case NUMBER_VALUE -> {
                double number = value.getNumberValue();
                if (number == Math.rint(number) && !Double.isInfinite(number)) {
                    if (number >= Integer.MIN_VALUE && number <= Integer.MAX_VALUE) {
                        yield (int) number;
                    }
                    if (Math.abs(number) < 0x1p63) {
                        yield (long) number;
                    }
                }
                yield number;
            }
        };
    }
}
