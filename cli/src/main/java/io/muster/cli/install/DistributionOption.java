package io.muster.cli.install;

import io.muster.cli.MusterCommand;
import io.muster.cli.launch.JavaCommand;
import io.muster.installer.packaging.AgentDistribution;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --agent-jar FILE}: which muster distribution goes into agent packages. By default the
 * one this command runs from (its jar and the {@code lib/} next to it), so the hosts get the
 * version the operator has.
 */
final class DistributionOption {

    @Option(names = "--agent-jar", paramLabel = "FILE",
            description = "The muster-cli jar (with lib/ next to it) to package (default: the one this command runs from).")
    Path agentJar;

    AgentDistribution distribution(CommandLine commandLine) {
        Path jar = agentJar != null ? agentJar : running();
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new CommandLine.ParameterException(commandLine, "no muster-cli jar to package"
                    + (jar == null ? " (this command does not run from one)" : ": " + jar + " is not a file")
                    + "; give --agent-jar cli/target/muster-cli-VERSION.jar");
        }
        try {
            return AgentDistribution.of(jar, JavaCommand.agentJvmOptions(), JavaCommand.agentSupervisorScriptText());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
    }

    private static Path running() {
        try {
            Path location = Path.of(MusterCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(location) ? location : null;
        } catch (URISyntaxException | SecurityException e) {
            return null;
        }
    }
}
