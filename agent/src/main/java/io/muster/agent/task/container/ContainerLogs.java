package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * The {@code logs} action: streams a container's output into the run's stdout and stderr as it
 * arrives. Stateless; blocks the run's worker thread until the stream ends or is aborted.
 */
final class ContainerLogs {

    private final DockerEngineClient engine;

    ContainerLogs(DockerEngineClient engine) {
        this.engine = engine;
    }

    RunResult stream(ContainerSpec.Logs logs, RunContext context, AbortSignal abort) throws EngineException, IOException {
        // With a TTY the engine sends raw bytes; without one, the multiplexed frame format.
        Struct inspect = engine.call(EngineRequest.get("/containers/" + logs.name() + "/json"), abort)
                .json().getStructValue();
        boolean tty = inspect.getFieldsOrDefault("Config", Value.getDefaultInstance()).getStructValue()
                .getFieldsOrDefault("Tty", Value.getDefaultInstance()).getBoolValue();
        EngineRequest request = EngineRequest.get("/containers/" + logs.name() + "/logs")
                .withQuery("stdout", "true")
                .withQuery("stderr", "true")
                .withQuery("follow", Boolean.toString(logs.follow()))
                .withQuery("tail", logs.tail() == null ? "all" : Long.toString(logs.tail()));
        if (logs.follow()) {
            // A quiet container is not a dead engine: only the run's deadline or a cancel ends a follow.
            request = request.withReadTimeout(Duration.ZERO);
        }
        long bytes;
        try (EngineResponse response = engine.open(request, abort)) {
            InputStream body = response.body();
            bytes = tty ? body.transferTo(context.stdout()) : LogStreamDemultiplexer.copy(body, context.stdout(), context.stderr());
        } catch (IOException e) {
            if (abort.aborted()) {
                throw new EngineException(EngineException.NOT_REACHABLE, "log stream stopped", e);
            }
            throw new EngineException(EngineException.NOT_REACHABLE,
                    "log stream of container " + logs.name() + " broke: " + e.getMessage(), e);
        }
        return RunResult.succeeded(null, Struct.newBuilder()
                .putFields("name", CreateRequestBuilder.string(logs.name()))
                .putFields("bytes", CreateRequestBuilder.number(bytes))
                .build());
    }
}
