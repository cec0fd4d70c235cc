package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import java.io.IOException;

/** What a container action would do, said without touching the engine. */
final class DryRunPlan {

    private DryRunPlan() {
    }

    static RunResult describe(ContainerSpec spec, RunContext context) throws IOException {
        String plan = plan(spec, context.taskId());
        RunOutput.line(context.stdout(), plan);
        return RunResult.succeeded(null, Struct.newBuilder()
                .putFields("dryRun", com.google.protobuf.Value.newBuilder().setBoolValue(true).build())
                .putFields("action", CreateRequestBuilder.string(spec.action()))
                .putFields("plan", CreateRequestBuilder.string(plan))
                .build());
    }

    static String plan(ContainerSpec spec, String taskId) {
        if (spec instanceof ContainerSpec.Run run) {
            return "would create container " + run.name() + " from image " + run.image()
                    + " with " + json(CreateRequestBuilder.body(run, taskId)) + " and start it";
        } else if (spec instanceof ContainerSpec.Stop stop) {
            return "would stop container " + stop.name() + " (kill after " + stop.timeoutSeconds() + " s)";
        } else if (spec instanceof ContainerSpec.Remove remove) {
            return "would remove container " + remove.name() + (remove.force() ? " (forced, even if running)" : "");
        } else if (spec instanceof ContainerSpec.Restart restart) {
            return "would restart container " + restart.name();
        } else if (spec instanceof ContainerSpec.Logs logs) {
            return "would stream the logs of container " + logs.name()
                    + (logs.tail() == null ? "" : " (last " + logs.tail() + " lines)")
                    + (logs.follow() ? ", following" : "");
        } else if (spec instanceof ContainerSpec.Load load) {
            return "would download " + load.url() + ", verify " + load.digest() + " and load the image";
        } else if (spec instanceof ContainerSpec.Pull pull) {
            return "would pull image " + pull.image();
        }
        throw new IllegalStateException("a new container action without a dry-run plan: " + spec.action());
    }

    private static String json(Struct body) {
        return EngineJson.print(body);
    }
}
