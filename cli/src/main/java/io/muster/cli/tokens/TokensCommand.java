package io.muster.cli.tokens;

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

/** {@code muster tokens create|ls|revoke}: API tokens (an admin token is needed). */
@Command(name = "tokens", description = "Create, list and revoke API tokens.", mixinStandardHelpOptions = true,
        subcommands = {TokensCommand.Create.class, TokensCommand.Ls.class, TokensCommand.Revoke.class})
public final class TokensCommand implements Runnable {

    /** The roles a token can have. */
    enum Role { VIEWER, OPERATOR, ADMIN }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create, ls or revoke");
    }

    @Command(name = "create", description = "Create a token; its secret is printed once.", mixinStandardHelpOptions = true)
    static final class Create implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "who or what the token is for")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, operator or admin")
        Role role;

        @Option(names = "--scope", paramLabel = "SELECTOR", description = "Only the hosts this selector matches, e.g. team=payments.")
        String scope;

        @Option(names = "--expires-in", paramLabel = "SECONDS", description = "Lifetime in seconds (default: 90 days; at most 10 years).")
        Long expiresInSeconds;

        @Override
        public void run() {
            if (expiresInSeconds != null && expiresInSeconds < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--expires-in must be positive, got " + expiresInSeconds);
            }
            JsonObject created = api.client().tokens().create(name, role.name().toLowerCase(java.util.Locale.ROOT), scope,
                    expiresInSeconds == null ? null : java.time.Duration.ofSeconds(expiresInSeconds)).json();
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(created.encodePrettily());
            } else {
                out.println(created.getString("token"));
                spec.commandLine().getErr().println("token " + created.getString("id") + " created; the secret above is shown only once");
                spec.commandLine().getErr().flush();
            }
            out.flush();
        }
    }

    @Command(name = "ls", description = "Every token (no secrets).", mixinStandardHelpOptions = true)
    static final class Ls implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            JsonArray items = new JsonArray();
            api.client().tokens().list().forEach(token -> items.add(token.json()));
            PrintWriter out = spec.commandLine().getOut();
            if (api.json()) {
                out.println(items.encodePrettily());
                out.flush();
                return;
            }
            Table table = new Table("ID", "NAME", "ROLE", "SCOPE", "EXPIRES", "REVOKED");
            for (Object item : items) {
                JsonObject token = (JsonObject) item;
                table.row(token.getString("id"), token.getString("name"), token.getString("role"), token.getString("scope"),
                        token.getString("expiresAt"), token.getString("revokedAt"));
            }
            table.print(out);
        }
    }

    @Command(name = "revoke", description = "Revoke a token.", mixinStandardHelpOptions = true)
    static final class Revoke implements Runnable {
        @Mixin
        ApiOptions api;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "token id")
        String id;

        @Override
        public void run() {
            JsonObject result = api.client().tokens().revoke(id);
            PrintWriter out = spec.commandLine().getOut();
            out.println(api.json() ? result.encodePrettily() : "token " + id + " revoked");
            out.flush();
        }
    }
}
