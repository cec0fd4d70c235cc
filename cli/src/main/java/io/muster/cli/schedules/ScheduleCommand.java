package io.muster.cli.schedules;

import io.muster.client.Schedule;
import io.muster.client.Schedules;
import io.muster.cli.api.ApiOptions;
import io.muster.cli.api.Table;
import io.muster.scheduler.schedule.Cron;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code muster schedule create|ls|show|pause|resume|rm}. */
@Command(name = "schedule", description = "Run a command (as a task or a rollout) on a cron schedule, once per tick across the cluster.",
        mixinStandardHelpOptions = true, subcommands = {ScheduleCommand.Create.class, ScheduleCommand.Ls.class,
                ScheduleCommand.Show.class, ScheduleCommand.Pause.class, ScheduleCommand.Resume.class, ScheduleCommand.Rm.class})
public final class ScheduleCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: create, ls, show, pause, resume or rm");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a schedule that runs a command on the hosts of a selector at every tick.")
    static final class Create implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--name", required = true, description = "Unique name of the schedule.")
        String name;

        @Option(names = "--cron", required = true, paramLabel = "EXPR",
                description = "5 cron fields (\"*/30 * * * *\") or \"@every 10m\".")
        String cron;

        @Option(names = "--timezone", defaultValue = "UTC", paramLabel = "ZONE",
                description = "Time zone of the cron fields, e.g. Europe/London (default ${DEFAULT-VALUE}).")
        String timezone;

        @Option(names = "--concurrency", defaultValue = "forbid", paramLabel = "forbid|allow|replace",
                description = "While an earlier tick's work is still going: skip the tick, fire anyway, or cancel it and fire "
                        + "(default ${DEFAULT-VALUE}).")
        String concurrency;

        @Option(names = "--catch-up", defaultValue = "none", paramLabel = "none|last",
                description = "Ticks missed while the whole cluster was down: none, or fire the latest once (default ${DEFAULT-VALUE}).")
        String catchUp;

        @Option(names = "--paused", description = "Create it paused.")
        boolean paused;

        @Option(names = {"-s", "--selector"}, required = true, paramLabel = "SELECTOR", description = "Which hosts, e.g. role=web.")
        String selector;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
                description = "Wall-clock limit of each host's run in seconds (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = "--rollout", description = "Each tick starts a rollout (window 10% unless --waves or --window) instead of a task.")
        boolean rollout;

        @Option(names = "--waves", split = ",", paramLabel = "N|P%", description = "Rollout wave sizes, e.g. 1,10,25%.")
        List<String> waves;

        @Option(names = "--window", paramLabel = "N|P%", description = "Rollout window: at most this many hosts in flight.")
        String window;

        @Option(names = "--max-failures", paramLabel = "N|P%", description = "Rollout failure budget over the whole rollout.")
        String maxFailures;

        @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
        List<String> command;

        @Override
        public void run() {
            check();
            JsonObject task = new JsonObject().put("target", new JsonObject().put("selector", selector)).put("kind", "exec")
                    .put("spec", new JsonObject().put("command", new JsonArray(List.copyOf(command))))
                    .put("timeoutSeconds", timeoutSeconds);
            JsonObject body = new JsonObject().put("name", name).put("cron", cron).put("timezone", timezone)
                    .put("concurrencyPolicy", concurrency).put("catchUp", catchUp).put("paused", paused);
            if (rollout || waves != null || window != null || maxFailures != null) {
                JsonObject strategy = new JsonObject();
                if (waves != null) {
                    JsonArray ramp = new JsonArray();
                    waves.forEach(w -> ramp.add(amount(w)));
                    strategy.put("waves", ramp);
                }
                if (window != null) {
                    strategy.put("window", amount(window));
                }
                if (maxFailures != null) {
                    strategy.put("maxFailures", amount(maxFailures));
                }
                body.put("rollout", task.put("strategy", strategy));
            } else {
                body.put("task", task);
            }
            JsonObject created = api.client().schedules().create(body).json();
            PrintWriter out = spec.commandLine().getOut();
            out.println(api.json() ? created.encodePrettily() : summary(created));
            out.flush();
        }

        // What can be told without the server is told here, with exit code 2.
        private void check() {
            ZoneId zone;
            try {
                zone = ZoneId.of(timezone);
            } catch (DateTimeException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timezone: '" + timezone
                        + "' is not a time zone id (e.g. UTC, Europe/London)");
            }
            try {
                Cron.parse(cron, zone, Instant.now());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--cron: " + e.getMessage());
            }
            if (!Set.of("forbid", "allow", "replace").contains(concurrency)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--concurrency must be forbid, allow or replace, got '"
                        + concurrency + "'");
            }
            if (!Set.of("none", "last").contains(catchUp)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--catch-up must be none or last, got '" + catchUp + "'");
            }
            if (waves != null && window != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --waves or --window, not both");
            }
        }
    }

    // Counts like 10 stay numbers; "25%" stays text; anything else is refused by the server with the field named.
    private static Object amount(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return text.strip();
        }
    }

    static String summary(JsonObject s) {
        String what = s.containsKey("task") ? "task" : "rollout";
        JsonArray next = s.getJsonArray("nextFirings", new JsonArray());
        return "schedule " + s.getString("id") + " '" + s.getString("name") + "': " + s.getString("cron") + " ("
                + s.getString("timezone") + "), a " + what + " per tick, concurrency " + s.getString("concurrencyPolicy")
                + ", catch-up " + s.getString("catchUp") + (s.getBoolean("paused", false) ? ", PAUSED" : "")
                + "\n  next: " + (next.isEmpty() ? "-" : String.join(", ", next.stream().map(String::valueOf).toList()));
    }

    @Command(name = "ls", description = "Schedules, newest first.", mixinStandardHelpOptions = true)
    static final class Ls implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--limit", defaultValue = "100", description = "How many (1..1000, default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public void run() {
            if (limit < 1 || limit > 1000) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be between 1 and 1000, got " + limit);
            }
            JsonArray items = new JsonArray();
            api.client().schedules().list().stream().limit(limit).forEach(schedule -> items.add(schedule.json()));
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(items.encodePrettily());
            } else {
                Table table = new Table("ID", "NAME", "CRON", "TIMEZONE", "CREATES", "PAUSED", "NEXT");
                for (Object item : items) {
                    JsonObject s = (JsonObject) item;
                    JsonArray next = s.getJsonArray("nextFirings");
                    table.row(s.getString("id"), s.getString("name"), s.getString("cron"), s.getString("timezone"),
                            s.containsKey("task") ? "task" : "rollout", s.getBoolean("paused"), next.isEmpty() ? "-" : next.getString(0));
                }
                table.print(out);
            }
            out.flush();
        }
    }

    @Command(name = "show", description = "A schedule: its expression, next ticks and latest firings with their task or rollout ids.",
            mixinStandardHelpOptions = true)
    static final class Show implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "schedule id")
        String id;

        @Override
        public void run() {
            JsonObject view = api.client().schedules().get(id).json();
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(view.encodePrettily());
            } else {
                out.println(summary(view));
                Table firings = new Table("TICK", "OUTCOME", "CREATED", "BY", "REASON");
                for (Object item : view.getJsonArray("firings")) {
                    JsonObject f = (JsonObject) item;
                    String created = f.getString("taskId") != null ? "task " + f.getString("taskId")
                            : f.getString("rolloutId") != null ? "rollout " + f.getString("rolloutId") : "-";
                    firings.row(f.getString("tick"), f.getString("outcome"), created, f.getString("firedBy"),
                            f.getString("reason") == null ? "" : f.getString("reason"));
                }
                firings.print(out);
            }
            out.flush();
        }
    }

    /** pause / resume / rm: one call on one schedule. */
    abstract static class OnOne implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "schedule id")
        String id;

        /** The schedule after the call, null when it is gone. */
        abstract Schedule call(Schedules schedules);

        @Override
        public void run() {
            Schedule after = call(api.client().schedules());
            JsonObject view = after == null ? null : after.json();
            PrintWriter out = spec.commandLine().getOut();
            out.println(view == null ? "schedule " + id + " deleted" : api.json() ? view.encodePrettily() : summary(view));
            out.flush();
        }
    }

    @Command(name = "pause", description = "No tick fires until it is resumed.", mixinStandardHelpOptions = true)
    static final class Pause extends OnOne {
        @Override
        Schedule call(Schedules schedules) {
            return schedules.pause(id);
        }
    }

    @Command(name = "resume", description = "Fire again from the next tick (ticks that passed while paused never fire).",
            mixinStandardHelpOptions = true)
    static final class Resume extends OnOne {
        @Override
        Schedule call(Schedules schedules) {
            return schedules.resume(id);
        }
    }

    @Command(name = "rm", description = "Delete a schedule (the tasks and rollouts it created stay).", mixinStandardHelpOptions = true)
    static final class Rm extends OnOne {
        @Override
        Schedule call(Schedules schedules) {
            schedules.delete(id);
            return null;
        }
    }
}
