package io.muster.cli;

import io.muster.cli.agent.AgentCommand;
import io.muster.cli.agent.AgentRoot;
import io.muster.cli.agent.BuildEntryPoint;
import io.muster.cli.completion.CompletionCommand;
import io.muster.cli.controller.ControllerCommand;
import io.muster.cli.demo.DatabaseGuardCommand;
import io.muster.cli.demo.DemoCommand;
import io.muster.cli.events.EventsCommand;
import io.muster.cli.history.ChangesCommand;
import io.muster.cli.hosts.HostsCommand;
import io.muster.cli.install.InstallCommand;
import io.muster.cli.install.PackageCommand;
import io.muster.cli.install.UninstallCommand;
import io.muster.cli.lifecycle.LifecycleCommand;
import io.muster.cli.simulate.SimulateCommand;
import io.muster.cli.tasks.RunCommand;
import io.muster.cli.rollouts.RolloutCommand;
import io.muster.cli.schedules.ScheduleCommand;
import io.muster.cli.tasks.TasksCommand;
import io.muster.cli.tokens.TokensCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The one {@code muster} command. Each subcommand starts one part of Muster in this process
 * ({@code agent}, {@code controller}, {@code simulate}) or several parts as processes
 * ({@code demo}).
 *
 * <p>Exit codes: 0 after a clean stop, 1 for a runtime failure (one line on stderr, the stack
 * trace only with {@code --verbose}), 2 for bad usage (one line on stderr).
 */
@Command(
        name = "muster",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Muster: agents on every server, a sharded controller cluster, PostgreSQL as the record.",
        subcommands = {
                AgentCommand.class,
                ControllerCommand.class,
                SimulateCommand.class,
                DemoCommand.class,
                HostsCommand.class,
                RunCommand.class,
                TasksCommand.class,
                RolloutCommand.class,
                ScheduleCommand.class,
                LifecycleCommand.class,
                TokensCommand.class,
                EventsCommand.class,
                ChangesCommand.class,
                PackageCommand.class,
                InstallCommand.class,
                UninstallCommand.class,
                CompletionCommand.class,
                DatabaseGuardCommand.class,
                CommandLine.HelpCommand.class
        })
public final class MusterCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print the stack trace of a failure.")
    boolean verbose;

    /** Runs without a subcommand: there is nothing to do but say what there is. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is required: agent, controller, simulate or demo");
    }

    /** The command line with Muster's exit-code and error conventions installed. */
    public static CommandLine commandLine() {
        return withConventions(new CommandLine(new MusterCommand()));
    }

    /**
     * {@code commandLine} with Muster's exit-code and error conventions: also for a command that
     * lives outside this jar ({@code muster bench}, which the launcher script hands to the bench's
     * own jar so the muster distribution does not carry the bench).
     */
    public static CommandLine withConventions(CommandLine commandLine) {
        commandLine.setParameterExceptionHandler(CommandErrors::usage);
        commandLine.setExecutionExceptionHandler(CommandErrors::failure);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    /** {@code muster} with only the agent subcommand ({@link AgentRoot}): what the agent JVM parses with. */
    public static CommandLine agentCommandLine() {
        return withConventions(new CommandLine(new AgentRoot()));
    }

    public static void main(String[] args) throws Exception {
        if (BuildEntryPoint.delegate(MusterCommand.class, args)) {
            return;
        }
        boolean agent = args.length > 0 && args[0].equals("agent");
        System.exit((agent ? agentCommandLine() : commandLine()).execute(args));
    }
}
