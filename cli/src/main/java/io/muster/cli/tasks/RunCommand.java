package io.muster.cli.tasks;

import io.muster.client.EventStream;
import io.muster.client.MusterClient;
import io.muster.client.ServerEvent;
import io.muster.client.Task;
import io.muster.client.TaskRequest;
import io.muster.cli.api.ApiOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code muster run --selector S [--timeout 5m] -- CMD ARGS...}: one exec task on every host the
 * selector matches, followed live (a progress bar on stderr from the task's event stream), then
 * each host's result. Exit codes: 0 when every run succeeded, 3 when any did not, 1 when the
 * controller refused or could not be reached, 2 for bad usage.
 */
@Command(name = "run", description = "Run a command on the hosts a selector matches and follow it.",
        mixinStandardHelpOptions = true,
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every host succeeded", "1:the controller refused or is unreachable", "2:bad usage",
                "3:some host failed, timed out, was lost or cancelled"})
public final class RunCommand implements Callable<Integer> {

    static final int SOME_HOST_FAILED = 3;

    @Mixin
    ApiOptions api;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-s", "--selector"}, required = true, paramLabel = "SELECTOR", description = "Which hosts, e.g. role=web.")
    String selector;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "Wall-clock limit of each host's run in seconds (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() {
        if (timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        MusterClient client = api.client();
        Task created = client.tasks().submit(TaskRequest.exec(command).selector(selector).timeoutSeconds(timeoutSeconds));
        String taskId = created.id();
        long total = created.total();
        PrintWriter err = spec.commandLine().getErr();
        err.println("task " + taskId + " on " + total + (total == 1 ? " host" : " hosts"));
        ProgressBar bar = new ProgressBar(err, System.console() != null && !api.json());
        try (EventStream events = client.tasks().progress(taskId)) {
            while (events.hasNext()) {
                ServerEvent event = events.next();
                JsonObject progress = event.json();
                bar.show(progress.getJsonObject("counts"), progress.getLong("total", total));
                if ("done".equals(event.event())) {
                    break;
                }
            }
        }
        bar.finish();
        JsonArray runs = TaskPrinter.allRuns(client, taskId);
        PrintWriter out = spec.commandLine().getOut();
        if (api.json()) {
            out.println(client.tasks().get(taskId).json().put("runs", runs).encodePrettily());
            out.flush();
        } else {
            TaskPrinter.runs(runs, out);
        }
        boolean allSucceeded = runs.stream().allMatch(run -> "succeeded".equals(((JsonObject) run).getString("state")));
        return allSucceeded && runs.size() == total ? 0 : SOME_HOST_FAILED;
    }
}
