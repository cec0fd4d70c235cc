package io.muster.cli.tasks;

import io.muster.client.MusterClient;
import io.muster.cli.api.ApiOptions;
import io.muster.cli.api.Table;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code muster tasks ls|show|cancel}. */
@Command(name = "tasks", description = "List, show and cancel tasks.", mixinStandardHelpOptions = true,
        subcommands = {TasksCommand.Ls.class, TasksCommand.Show.class, TasksCommand.Cancel.class})
public final class TasksCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: ls, show or cancel");
    }

    @Command(name = "ls", description = "Tasks, newest first.", mixinStandardHelpOptions = true)
    static final class Ls implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--limit", defaultValue = "50", description = "How many (1..1000, default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public void run() {
            if (limit < 1 || limit > 1000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be between 1 and 1000, got " + limit);
            }
            JsonArray items = new JsonArray();
            api.client().tasks().list().stream().limit(limit).forEach(task -> items.add(task.json()));
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(items.encodePrettily());
                out.flush();
                return;
            }
            Table table = new Table("ID", "KIND", "STATE", "TOTAL", "COUNTS", "CREATED");
            for (Object item : items) {
                JsonObject task = (JsonObject) item;
                table.row(task.getString("id"), task.getString("kind"), task.getString("state"), task.getValue("total"),
                        TaskPrinter.counts(task.getJsonObject("counts")), task.getString("createdAt"));
            }
            table.print(out);
        }
    }

    @Command(name = "show", description = "A task with the result of each host's run.", mixinStandardHelpOptions = true)
    static final class Show implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "task id")
        String id;

        @Override
        public void run() {
            MusterClient client = api.client();
            JsonObject task = client.tasks().get(id).json();
            JsonArray runs = TaskPrinter.allRuns(client, id);
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(task.copy().put("runs", runs).encodePrettily());
                out.flush();
                return;
            }
            out.println("task " + task.getString("id") + " (" + task.getString("kind") + "): " + task.getString("state")
                    + ", " + TaskPrinter.counts(task.getJsonObject("counts")));
            TaskPrinter.runs(runs, out);
        }
    }

    @Command(name = "cancel", description = "Cancel a task's pending and running runs.", mixinStandardHelpOptions = true)
    static final class Cancel implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "task id")
        String id;

        @Override
        public void run() {
            JsonObject task = api.client().tasks().cancel(id).json();
            PrintWriter out = spec.commandLine().getOut();
            out.println(api.json() ? task.encodePrettily()
                    : "task " + task.getString("id") + ": " + task.getString("state") + ", " + TaskPrinter.counts(task.getJsonObject("counts")));
            out.flush();
        }
    }
}
