package io.muster.cli.completion;

import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code muster completion}: a bash (and zsh, via bashcompinit) completion script; {@code source <(muster completion)}. */
@Command(name = "completion", description = "Print a bash completion script: source <(muster completion).",
        mixinStandardHelpOptions = true)
public final class CompletionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        CommandLine root = spec.commandLine().getParent();
        PrintWriter out = spec.commandLine().getOut();
        out.print(AutoComplete.bash(root.getCommandName(), root));
        out.flush();
    }
}
