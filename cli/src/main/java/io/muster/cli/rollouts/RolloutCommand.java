package io.muster.cli.rollouts;

import io.muster.client.EventStream;
import io.muster.client.MusterClient;
import io.muster.client.Rollout;
import io.muster.client.Rollouts;
import io.muster.client.ServerEvent;
import io.muster.client.TaskRequest;
import io.muster.cli.api.ApiOptions;
import io.muster.cli.api.Table;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code muster rollout start|ls|show|pause|resume|abort}. */
@Command(name = "rollout", description = "Apply a command to hosts in waves or a window, with a failure budget.",
        mixinStandardHelpOptions = true, subcommands = {RolloutCommand.Start.class, RolloutCommand.Ls.class,
                RolloutCommand.Show.class, RolloutCommand.Pause.class, RolloutCommand.Resume.class, RolloutCommand.Abort.class})
public final class RolloutCommand implements Runnable {

    /** Exit code when the rollout ended halted, aborted or failed. */
    static final int NOT_SUCCEEDED = 1;
    /** States in which a followed rollout stops changing by itself. */
    private static final Set<String> SETTLED = Set.of("succeeded", "halted", "aborted", "failed", "waiting_approval", "paused");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: start, ls, show, pause, resume or abort");
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = "Start a rollout of a command and follow its progress until it succeeds, halts or waits.")
    static final class Start implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-s", "--selector"}, required = true, paramLabel = "SELECTOR", description = "Which hosts, e.g. role=web.")
        String selector;

        @Option(names = "--waves", split = ",", paramLabel = "N|P%", description = "Wave sizes, e.g. 1,10,25% (the last repeats).")
        List<String> waves;

        @Option(names = "--window", paramLabel = "N|P%", description = "At most this many hosts in flight (default 10% without --waves).")
        String window;

        @Option(names = "--max-failures", paramLabel = "N|P%", defaultValue = "0",
                description = "Failures allowed over the whole rollout (default ${DEFAULT-VALUE}).")
        String maxFailures;

        @Option(names = "--canary", paramLabel = "N", description = "The first N hosts run alone, then wait for approval.")
        Integer canary;

        @Option(names = "--approval", paramLabel = "manual|auto", defaultValue = "manual",
                description = "Canary approval: manual (muster rollout resume) or auto after --canary-wait (default ${DEFAULT-VALUE}).")
        String approval;

        @Option(names = "--canary-wait", paramLabel = "SECONDS", defaultValue = "0",
                description = "Seconds of good health after the canary before an auto approval.")
        int canaryWait;

        @Option(names = "--spread-by", paramLabel = "KEY", description = "Label or fact (e.g. dc) whose values each wave interleaves.")
        String spreadBy;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
                description = "Wall-clock limit of each host's run in seconds (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Option(names = "--detach", description = "Print the rollout id and return without following it.")
        boolean detach;

        @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
        List<String> command;

        @Override
        public Integer call() {
            JsonObject strategy = new JsonObject().put("maxFailures", amount(maxFailures));
            if (waves != null && window != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --waves or --window, not both");
            }
            if (waves != null) {
                JsonArray ramp = new JsonArray();
                waves.forEach(w -> ramp.add(amount(w)));
                strategy.put("waves", ramp);
            } else if (window != null) {
                strategy.put("window", amount(window));
            }
            if (canary != null) {
                strategy.put("canary", new JsonObject().put("hosts", canary).put("approval", approval).put("waitSeconds", canaryWait));
            }
            if (spreadBy != null) {
                strategy.put("spreadBy", spreadBy);
            }
            MusterClient client = api.client();
            JsonObject created = client.rollouts().start(TaskRequest.exec(command).selector(selector)
                    .timeoutSeconds(timeoutSeconds).with("strategy", strategy)).json();
            String id = created.getString("id");
            PrintWriter err = spec.commandLine().getErr();
            err.println("rollout " + id + " over " + created.getInteger("total") + " hosts");
            err.flush();
            if (detach) {
                spec.commandLine().getOut().println(api.json() ? created.encodePrettily() : id);
                spec.commandLine().getOut().flush();
                return 0;
            }
            return follow(client, id, api.json(), spec);
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

    /** Follows the progress stream until the rollout settles; prints the final view; exit 0 only when succeeded. */
    static int follow(MusterClient client, String id, boolean json, CommandLine.Model.CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        boolean interactive = System.console() != null && !json;
        JsonObject[] last = new JsonObject[1];
        try (EventStream events = client.rollouts().progress(id)) {
            while (events.hasNext()) {
                ServerEvent event = events.next();
                JsonObject view = event.json();
                last[0] = view;
                String line = progressLine(view);
                if (interactive) {
                    err.print("\r" + line + "\u001b[K");
                } else {
                    err.println(line);
                }
                err.flush();
                if ("done".equals(event.event()) || SETTLED.contains(view.getString("state"))) {
                    break;
                }
            }
        }
        if (interactive) {
            err.println();
        }
        PrintWriter out = spec.commandLine().getOut();
        JsonObject view = last[0] == null ? client.rollouts().get(id).json() : last[0];
        out.println(json ? view.encodePrettily() : summary(view));
        out.flush();
        return "succeeded".equals(view.getString("state")) ? 0 : NOT_SUCCEEDED;
    }

    static String progressLine(JsonObject view) {
        JsonObject counts = view.getJsonObject("counts", new JsonObject());
        JsonObject budget = view.getJsonObject("failureBudget", new JsonObject());
        JsonArray waves = view.getJsonArray("waves", new JsonArray());
        long doneWaves = waves.stream().filter(w -> "done".equals(((JsonObject) w).getString("state"))).count();
        return view.getString("state") + "  waves " + doneWaves + "/" + waves.size() + "  ok=" + counts.getInteger("succeeded", 0)
                + " failed=" + counts.getInteger("failed", 0) + " running=" + (counts.getInteger("running", 0)
                + counts.getInteger("awaiting_health", 0) + counts.getInteger("checking", 0))
                + " planned=" + counts.getInteger("planned", 0) + " skipped=" + counts.getInteger("skipped", 0)
                + "  budget " + budget.getInteger("used", 0) + "/" + budget.getInteger("allowed", 0);
    }

    static String summary(JsonObject view) {
        String reason = view.getString("reason");
        return "rollout " + view.getString("id") + ": " + progressLine(view) + (reason == null ? "" : "\n  reason: " + reason);
    }

    @Command(name = "ls", description = "Rollouts, newest first.", mixinStandardHelpOptions = true)
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
            api.client().rollouts().list().stream().limit(limit).forEach(rollout -> items.add(rollout.json()));
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(items.encodePrettily());
            } else {
                Table table = new Table("ID", "STATE", "TOTAL", "KIND", "CREATED", "REASON");
                for (Object item : items) {
                    JsonObject r = (JsonObject) item;
                    table.row(r.getString("id"), r.getString("state"), r.getValue("total"), r.getString("kind"),
                            r.getString("createdAt"), r.getString("reason") == null ? "" : r.getString("reason"));
                }
                table.print(out);
            }
            out.flush();
        }
    }

    @Command(name = "show", description = "A rollout: state, reason, waves, counts, budget; --follow to watch it.",
            mixinStandardHelpOptions = true)
    static final class Show implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "rollout id")
        String id;

        @Option(names = {"-f", "--follow"}, description = "Follow its progress until it settles.")
        boolean follow;

        @Override
        public Integer call() {
            MusterClient client = api.client();
            if (follow) {
                return follow(client, id, api.json(), spec);
            }
            JsonObject view = client.rollouts().get(id).json();
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(view.encodePrettily());
            } else {
                out.println(summary(view));
                Table waves = new Table("WAVE", "HOSTS", "STATE", "COUNTS");
                for (Object item : view.getJsonArray("waves")) {
                    JsonObject wave = (JsonObject) item;
                    waves.row(wave.getInteger("wave"), wave.getInteger("hosts"), wave.getString("state"),
                            wave.getJsonObject("counts").encode());
                }
                waves.print(out);
            }
            out.flush();
            return 0;
        }
    }

    /** pause / resume / abort: one POST, the rollout after it. */
    abstract static class Transition implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "rollout id")
        String id;

        void before(MusterClient client) {
        }

        abstract Rollout transition(Rollouts rollouts);

        @Override
        public void run() {
            MusterClient client = api.client();
            before(client);
            JsonObject view = transition(client.rollouts()).json();
            PrintWriter out = spec.commandLine().getOut();
            out.println(api.json() ? view.encodePrettily() : summary(view));
            out.flush();
        }
    }

    @Command(name = "pause", description = "Start nothing new; runs in flight finish.", mixinStandardHelpOptions = true)
    static final class Pause extends Transition {
        @Override
        Rollout transition(Rollouts rollouts) {
            return rollouts.pause(id);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused rollout, approve a waiting canary, or continue a halted one "
                    + "(with --max-failures to raise its budget first).")
    static final class Resume extends Transition {
        @Option(names = "--max-failures", paramLabel = "N|P%", description = "New failure budget, set before resuming.")
        String maxFailures;

        @Override
        Rollout transition(Rollouts rollouts) {
            return rollouts.resume(id);
        }

        @Override
        void before(MusterClient client) {
            if (maxFailures != null) {
                client.rollouts().changeStrategy(id, new JsonObject().put("maxFailures", amount(maxFailures)));
            }
        }
    }

    @Command(name = "abort", description = "Stop the rollout: nothing new starts, at once.", mixinStandardHelpOptions = true)
    static final class Abort extends Transition {
        @Override
        Rollout transition(Rollouts rollouts) {
            return rollouts.abort(id);
        }
    }
}
