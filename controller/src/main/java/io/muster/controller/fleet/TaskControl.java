package io.muster.controller.fleet;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.muster.controller.auth.FleetAuthorization;
import io.muster.controller.access.Principal;
import io.muster.controller.task.InvalidTaskRequestException;
import io.muster.controller.task.TaskCreator;
import io.muster.controller.task.TaskNotFoundException;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskRequestParser;
import io.muster.controller.task.TaskService;
import io.muster.proto.v1.CancelTaskRequest;
import io.muster.proto.v1.SubmitTaskRequest;
import io.muster.proto.v1.SubmitTaskResponse;
import io.muster.proto.v1.TaskProgress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SubmitTask and CancelTask over the task service: the request goes through the same parser as
 * the REST API's, so both refuse the same things with the same sentence (INVALID_ARGUMENT); an
 * unknown task is NOT_FOUND. Non-blocking: answers complete from the service's futures.
 */
final class TaskControl {

    private static final Logger LOG = LoggerFactory.getLogger(TaskControl.class);

    private final TaskService tasks;
    private final TaskRequestParser parser = new TaskRequestParser();

    TaskControl(TaskService tasks) {
        this.tasks = tasks;
    }

    void submit(SubmitTaskRequest request, StreamObserver<SubmitTaskResponse> response) {
        TaskRequest parsed;
        try {
            parsed = parser.parse(json(request));
        } catch (InvalidTaskRequestException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (InvalidProtocolBufferException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("spec cannot be read as JSON: " + e.getMessage()).asRuntimeException());
            return;
        }
        Principal caller = FleetAuthorization.PRINCIPAL.get();
        TaskRequest owned = parsed.createdBy(caller == null ? null : new TaskCreator(caller.tokenId(), caller.name()));
        tasks.create(owned).onComplete(ar -> {
            if (ar.succeeded()) {
                response.onNext(SubmitTaskResponse.newBuilder()
                        .setTaskId(ar.result().taskId().toString())
                        .setTotal(ar.result().runs().size())
                        .build());
                response.onCompleted();
            } else if (ar.cause() instanceof InvalidTaskRequestException e) {
                response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            } else {
                internal(response, "SubmitTask", ar.cause());
            }
        });
    }

    void cancel(CancelTaskRequest request, StreamObserver<TaskProgress> response) {
        Optional<UUID> id = taskId(request.getTaskId(), response);
        if (id.isEmpty()) {
            return;
        }
        tasks.cancel(id.get()).compose(cancelled -> tasks.progress(id.get())).onComplete(ar -> {
            if (ar.succeeded() && ar.result().isPresent()) {
                response.onNext(TaskMessages.progress(id.get(), ar.result().get()));
                response.onCompleted();
            } else if (ar.succeeded() || ar.cause() instanceof TaskNotFoundException) {
                notFound(response, request.getTaskId());
            } else {
                internal(response, "CancelTask", ar.cause());
            }
        });
    }

    /** The request as the REST API's JSON body, so one parser decides for both. */
    private static JsonObject json(SubmitTaskRequest request) throws InvalidProtocolBufferException {
        boolean bySelector = !request.getSelector().isBlank();
        boolean byHosts = request.getHostIdsCount() > 0;
        if (bySelector == byHosts) {
            throw new InvalidTaskRequestException("give exactly one of selector or host_ids");
        }
        JsonObject target = bySelector ? new JsonObject().put("selector", request.getSelector())
                : new JsonObject().put("hosts", new JsonArray(request.getHostIdsList()));
        JsonObject body = new JsonObject()
                .put("target", target)
                .put("kind", request.getKind())
                .put("spec", request.hasSpec() ? new JsonObject(JsonFormat.printer().print(request.getSpec())) : new JsonObject());
        if (request.getTimeoutSeconds() != 0) {
            body.put("timeoutSeconds", request.getTimeoutSeconds());
        }
        if (request.getDryRun()) {
            body.put("dryRun", true);
        }
        return body;
    }

    /** The task id, or empty after answering INVALID_ARGUMENT. */
    static Optional<UUID> taskId(String text, StreamObserver<?> response) {
        try {
            return Optional.of(UUID.fromString(text.trim()));
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("task_id must be a task's UUID, got '" + text + "'")
                    .asRuntimeException());
            return Optional.empty();
        }
    }

    static void notFound(StreamObserver<?> response, String taskId) {
        response.onError(Status.NOT_FOUND.withDescription("no task with id " + taskId).asRuntimeException());
    }

    static void internal(StreamObserver<?> response, String call, Throwable cause) {
        LOG.warn("{} failed", call, cause);
        response.onError(Status.INTERNAL.withDescription(call + " failed on the controller; see its log").asRuntimeException());
    }
}
