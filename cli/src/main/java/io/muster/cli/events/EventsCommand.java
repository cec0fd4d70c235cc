package io.muster.cli.events;

import io.muster.client.EventStream;
import io.muster.cli.api.ApiOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code muster events tail}: the fleet's events, live, from {@code GET /api/v1/events}. */
@Command(name = "events", description = "Fleet events (CloudEvents) as they happen.", mixinStandardHelpOptions = true,
        subcommands = {EventsCommand.Tail.class})
public final class EventsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: tail");
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = "Print events as they happen, one line each (-o json: the CloudEvent), until Ctrl-C.")
    static final class Tail implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--type", paramLabel = "TYPE", split = ",",
                description = "Only these types: host.online, a family like host.*, or * (repeatable, comma-separated).")
        List<String> types = new ArrayList<>();

        @Option(names = "--selector", paramLabel = "SELECTOR", description = "Only events about hosts matching it, e.g. role=web.")
        String selector;

        @Option(names = "--since-id", paramLabel = "ID", description = "Resume after this stream position (an earlier 'id').")
        String sinceId;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            try (EventStream events = api.client().events(types, selector, sinceId)) {
                while (events.hasNext()) {
                    String data = events.next().data();
                    out.println(api.json() ? data : line(new JsonObject(data)));
                    out.flush();
                    if (out.checkError()) {
                        return;
                    }
                }
            }
        }

        /** time, type, subject, then the data without the fields the line already shows. */
        static String line(JsonObject event) {
            JsonObject data = event.getJsonObject("data", new JsonObject()).copy();
            data.remove("host");
            data.remove("task");
            return String.format("%-27s %-24s %-38s %s", event.getString("time", ""), event.getString("type", ""),
                    event.getString("subject", ""), data.encode());
        }
    }
}
