package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import java.io.IOException;
import java.time.Duration;

/**
 * The actions on one named container: run (create + start), stop, remove, restart.
 * Stateless; each method blocks the run's worker thread for the engine calls it makes.
 */
final class ContainerActions {

    private final DockerEngineClient engine;

    ContainerActions(DockerEngineClient engine) {
        this.engine = engine;
    }

    RunResult run(ContainerSpec.Run run, RunContext context, AbortSignal abort) throws EngineException, IOException {
        Struct body = CreateRequestBuilder.body(run, context.taskId());
        DockerEngineClient.JsonReply created = engine.call(EngineRequest.post("/containers/create")
                .withQuery("name", run.name()).withJson(body), abort);
        Struct answer = created.json().getStructValue();
        String id = answer.getFieldsOrThrow("Id").getStringValue();
        RunOutput.line(context.stdout(), "created container " + run.name() + " (" + shortId(id) + ") from " + run.image());
        if (answer.containsFields("Warnings")) {
            for (Value warning : answer.getFieldsOrThrow("Warnings").getListValue().getValuesList()) {
                RunOutput.line(context.stderr(), "engine warning: " + warning.getStringValue());
            }
        }
        try {
            engine.call(EngineRequest.post("/containers/" + id + "/start"), abort);
        } catch (EngineException startFailed) {
            // A container that never started would only block the name for the retry: take it away.
            try {
                engine.call(EngineRequest.delete("/containers/" + id).withQuery("force", "true"), AbortSignal.NEVER);
                RunOutput.line(context.stderr(), "removed container " + run.name() + " after its start failed");
            } catch (EngineException cleanupFailed) {
                RunOutput.line(context.stderr(), "could not remove container " + run.name()
                        + " after its start failed: " + cleanupFailed.getMessage());
            }
            throw startFailed;
        }
        RunOutput.line(context.stdout(), "started container " + run.name());
        return RunResult.succeeded(null, Struct.newBuilder()
                .putFields("id", CreateRequestBuilder.string(id))
                .putFields("name", CreateRequestBuilder.string(run.name()))
                .putFields("image", CreateRequestBuilder.string(run.image()))
                .build());
    }

    RunResult stop(ContainerSpec.Stop stop, RunContext context, AbortSignal abort) throws EngineException, IOException {
        DockerEngineClient.JsonReply reply = engine.call(EngineRequest.post("/containers/" + stop.name() + "/stop")
                .withQuery("t", Long.toString(stop.timeoutSeconds()))
                .withReadTimeout(graceThenDefault(stop.timeoutSeconds())), abort);
        boolean wasRunning = reply.status() != 304;
        RunOutput.line(context.stdout(), wasRunning ? "stopped container " + stop.name()
                : "container " + stop.name() + " was already stopped");
        return RunResult.succeeded(null, nameAnd(stop.name(), "wasRunning", wasRunning));
    }

    RunResult remove(ContainerSpec.Remove remove, RunContext context, AbortSignal abort)
            throws EngineException, IOException {
        engine.call(EngineRequest.delete("/containers/" + remove.name())
                .withQuery("force", Boolean.toString(remove.force())), abort);
        RunOutput.line(context.stdout(), "removed container " + remove.name());
        return RunResult.succeeded(null, nameAnd(remove.name(), "removed", true));
    }

    RunResult restart(ContainerSpec.Restart restart, RunContext context, AbortSignal abort)
            throws EngineException, IOException {
        engine.call(EngineRequest.post("/containers/" + restart.name() + "/restart")
                .withQuery("t", Long.toString(restart.timeoutSeconds()))
                .withReadTimeout(graceThenDefault(restart.timeoutSeconds())), abort);
        RunOutput.line(context.stdout(), "restarted container " + restart.name());
        return RunResult.succeeded(null, nameAnd(restart.name(), "restarted", true));
    }

    /** The engine answers a stop only after the grace period, so the read must wait that long. */
    private static Duration graceThenDefault(long seconds) {
        return Duration.ofSeconds(seconds).plus(DockerEngineClient.DEFAULT_READ_TIMEOUT);
    }

    private static Struct nameAnd(String name, String flag, boolean value) {
        return Struct.newBuilder()
                .putFields("name", CreateRequestBuilder.string(name))
                .putFields(flag, Value.newBuilder().setBoolValue(value).build())
                .build();
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }
}
