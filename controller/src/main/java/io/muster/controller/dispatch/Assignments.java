package io.muster.controller.dispatch;

import com.google.protobuf.Struct;
import io.muster.controller.task.StructJson;
import io.muster.controller.task.TaskHeader;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.TaskAssignment;
import io.muster.proto.v1.TaskCancel;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Builds the messages agents receive for runs. The spec (with the task's secrets merged in) is
 * converted to a {@link Struct} once per task and shared by all of its assignments.
 */
final class Assignments {

    /** Maximum bytes of stdout and of stderr an agent keeps per run. */
    static final long OUTPUT_LIMIT_BYTES = 1024 * 1024;

    private final TaskHeader task;
    private final Struct spec;

    Assignments(TaskHeader task) {
        this.task = task;
        // Secrets join the spec only here, on the way to the agent: tasks.spec never holds them.
        JsonObject wire = new JsonObject(task.specJson());
        new JsonObject(task.secretsJson()).forEach(field -> wire.put(field.getKey(), field.getValue()));
        this.spec = StructJson.toStruct(wire);
    }

    ControllerMessage assignment(UUID runId) {
        return ControllerMessage.newBuilder().setTaskAssignment(TaskAssignment.newBuilder()
                .setRunId(runId.toString())
                .setTaskId(task.taskId().toString())
                .setKind(task.kind())
                .setSpec(spec)
                .setTimeoutMs(task.timeoutSeconds() * 1000L)
                .setDryRun(task.dryRun())
                .setOutputLimitBytes(OUTPUT_LIMIT_BYTES))
                .build();
    }

    static ControllerMessage cancel(UUID runId, String reason) {
        return ControllerMessage.newBuilder()
                .setTaskCancel(TaskCancel.newBuilder().setRunId(runId.toString()).setReason(reason))
                .build();
    }
}
