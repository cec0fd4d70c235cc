package io.muster.cli.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code muster} with the agent as its only subcommand: what the agent JVM on every host parses
 * its arguments with. The full command tree would load every subcommand's classes and build
 * their option models (1.7 MiB resident, measured by {@code muster bench --scenario footprint});
 * the agent's usage and errors read the same ({@code muster agent: ...}).
 */
@Command(name = "muster", subcommands = AgentCommand.class)
public final class AgentRoot implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of a failure.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: agent");
    }
}
