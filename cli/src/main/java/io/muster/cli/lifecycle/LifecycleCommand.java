package io.muster.cli.lifecycle;

import io.muster.cli.api.ApiOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code muster lifecycle ID ACTION}: asks the controller to take a host through a lifecycle
 * step (cordon, uncordon, drain, reboot, upgrade-agent, decommission...); the controller checks
 * the action and answers what it started.
 */
@Command(name = "lifecycle", description = "Take a host through a lifecycle step (cordon, uncordon, drain, reboot, decommission...).",
        mixinStandardHelpOptions = true)
public final class LifecycleCommand implements Runnable {

    @Mixin
    ApiOptions api;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "host id")
    String id;

    @Parameters(index = "1", paramLabel = "ACTION", description = "the lifecycle action")
    String action;

    @Override
    public void run() {
        JsonObject result = api.client().hosts().lifecycle(id, action).json();
        PrintWriter out = spec.commandLine().getOut();
        if (api.json()) {
            out.println(result.encodePrettily());
        } else {
            StringBuilder line = new StringBuilder(id + ": " + result.getString("action", action));
            for (String field : new String[] {"lifecycle", "state", "taskId", "operationId"}) {
                if (result.getValue(field) != null) {
                    line.append(", ").append(field).append('=').append(result.getValue(field));
                }
            }
            out.println(line);
        }
        out.flush();
    }
}
