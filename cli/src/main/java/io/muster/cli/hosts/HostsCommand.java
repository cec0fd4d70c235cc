package io.muster.cli.hosts;

import io.muster.cli.api.ApiOptions;
import io.muster.cli.history.ChangeListing;
import io.muster.cli.api.Table;
import io.muster.client.HistoryQuery;
import io.muster.client.Host;
import io.muster.client.MusterClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import java.util.Map;
import java.util.LinkedHashMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code muster hosts ls|show|label}: the fleet's hosts through the REST API. */
@Command(name = "hosts", description = "List, show and label hosts.", mixinStandardHelpOptions = true,
        subcommands = {HostsCommand.Ls.class, HostsCommand.Show.class, HostsCommand.Label.class, HostsCommand.History.class})
public final class HostsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: ls, show or label");
    }

    @Command(name = "ls", description = "Hosts matching a selector, in id order (every page).", mixinStandardHelpOptions = true)
    static final class Ls implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-s", "--selector"}, paramLabel = "SELECTOR", description = "e.g. role=web,dc in (ldn1,nyc2),cpu.cores>=32")
        String selector;

        @Override
        public void run() {
            JsonArray all = new JsonArray();
            for (Host host : api.client().hosts().list(selector)) {
                all.add(host.json());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(all.encodePrettily());
                out.flush();
                return;
            }
            Table table = new Table("ID", "HOSTNAME", "STATE", "LIFECYCLE", "CONNECTED-TO", "LABELS");
            for (Object item : all) {
                JsonObject host = (JsonObject) item;
                table.row(host.getString("id"), host.getString("hostname"), host.getString("state"), host.getString("lifecycle"),
                        host.getString("connectedTo"), labels(host.getJsonObject("labels")));
            }
            table.print(out);
        }
    }

    @Command(name = "show", description = "One host with its facts and inventory.", mixinStandardHelpOptions = true)
    static final class Show implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "host id")
        String id;

        @Override
        public void run() {
            JsonObject host = api.client().hosts().get(id).json();
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(host.encodePrettily());
                out.flush();
                return;
            }
            Table table = new Table("FIELD", "VALUE");
            for (String field : List.of("id", "hostname", "state", "lifecycle", "connectedTo", "agentVersion",
                    "firstSeen", "lastSeen", "inventoryDigest")) {
                table.row(field, host.getValue(field));
            }
            table.row("labels", labels(host.getJsonObject("labels")));
            JsonObject facts = host.getJsonObject("facts", new JsonObject());
            facts.fieldNames().stream().sorted().forEach(name -> table.row("fact " + name, facts.getValue(name)));
            table.print(out);
        }
    }

    @Command(name = "history", description = "Inventory changes of one host, oldest first: fact, old and new value, when.",
            mixinStandardHelpOptions = true)
    static final class History implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "host id")
        String id;

        @Option(names = "--since", paramLabel = "WHEN", description = "An age (7d, 12h, 30m) or an ISO-8601 instant.")
        String since;

        @Option(names = "--key", paramLabel = "FACT", description = "Only this fact, e.g. kernel.release.")
        String key;

        @Override
        public void run() {
            ChangeListing.print(api, spec.commandLine().getOut(),
                    api.client().hosts().history(id, HistoryQuery.all().since(since).key(key)));
        }
    }

    @Command(name = "label", description = "Set labels on a host (k=v sets, k- removes); other labels stay.",
            mixinStandardHelpOptions = true)
    static final class Label implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "host id")
        String id;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "LABEL", description = "key=value to set, key- to remove")
        List<String> changes;

        @Override
        public void run() {
            MusterClient client = api.client();
            JsonObject labels = client.hosts().get(id).json().getJsonObject("labels", new JsonObject()).copy();
            for (String change : changes) {
                apply(labels, change);
            }
            Map<String, String> wanted = new LinkedHashMap<>();
            labels.forEach(entry -> wanted.put(entry.getKey(), String.valueOf(entry.getValue())));
            JsonObject host = client.hosts().setLabels(id, wanted).json();
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(host.encodePrettily());
            } else {
                out.println(host.getString("id") + ": " + labels(host.getJsonObject("labels")));
            }
            out.flush();
        }

        private void apply(JsonObject labels, String change) {
            int eq = change.indexOf('=');
            if (eq > 0) {
                labels.put(change.substring(0, eq), change.substring(eq + 1));
            } else if (change.endsWith("-") && change.length() > 1) {
                labels.remove(change.substring(0, change.length() - 1));
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "'" + change + "' is not key=value (set) or key- (remove)");
            }
        }
    }

    static String labels(JsonObject labels) {
        if (labels == null || labels.isEmpty()) {
            return "-";
        }
        List<String> pairs = new ArrayList<>();
        labels.fieldNames().stream().sorted().forEach(key -> pairs.add(key + "=" + labels.getValue(key)));
        return String.join(",", pairs);
    }
}
