package io.muster.cli.history;

import io.muster.cli.api.ApiOptions;
import io.muster.client.HistoryQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code muster changes}: inventory changes across the fleet ("which hosts changed kernel.release this week"). */
@Command(name = "changes", mixinStandardHelpOptions = true,
        description = "Inventory changes across the fleet, oldest first: host, fact, old and new value, when.")
public final class ChangesCommand implements Runnable {

    @Mixin
    ApiOptions api;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--since", paramLabel = "WHEN", description = "An age (7d, 12h, 30m) or an ISO-8601 instant.")
    String since;

    @Option(names = "--until", paramLabel = "WHEN", description = "An age (7d, 12h, 30m) or an ISO-8601 instant.")
    String until;

    @Option(names = "--key", paramLabel = "FACT", description = "Only this fact, e.g. kernel.release.")
    String key;

    @Option(names = {"-s", "--selector"}, paramLabel = "SELECTOR", description = "Only hosts matching it, e.g. role=web.")
    String selector;

    @Override
    public void run() {
        ChangeListing.print(api, spec.commandLine().getOut(),
                api.client().changes(HistoryQuery.all().since(since).until(until).key(key).selector(selector)));
    }
}
