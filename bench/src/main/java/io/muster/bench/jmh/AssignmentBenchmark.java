package io.muster.bench.jmh;

import com.google.protobuf.Struct;
import io.muster.controller.task.StructJson;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.TaskAssignment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Assignment encoding: what the owning member does per host of a fan-out, building the
 * ControllerMessage with the run's TaskAssignment (the task's spec Struct converted once per
 * task, as dispatch does) and serializing it for the stream.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AssignmentBenchmark {

    private Struct spec;
    private String taskId;
    private UUID runId;

    @Setup
    public void task() {
        spec = StructJson.toStruct(new JsonObject()
                .put("command", new JsonArray().add("/usr/bin/systemctl").add("restart").add("nginx.service"))
                .put("env", new JsonObject().put("LANG", "C.UTF-8"))
                .put("timeoutSeconds", 60));
        taskId = UUID.randomUUID().toString();
        runId = UUID.randomUUID();
    }

    @Benchmark
    public byte[] encodeOneAssignment() {
        return ControllerMessage.newBuilder().setTaskAssignment(TaskAssignment.newBuilder()
                        .setRunId(runId.toString())
                        .setTaskId(taskId)
                        .setKind("exec")
                        .setSpec(spec)
                        .setTimeoutMs(60_000)
                        .setOutputLimitBytes(1024 * 1024))
                .build()
                .toByteArray();
    }

    @Benchmark
    public Struct specFromJson() {
        return StructJson.toStruct(new JsonObject()
                .put("command", new JsonArray().add("/usr/bin/systemctl").add("restart").add("nginx.service"))
                .put("env", new JsonObject().put("LANG", "C.UTF-8")));
    }
}
