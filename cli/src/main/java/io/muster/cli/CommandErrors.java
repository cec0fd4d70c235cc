package io.muster.cli;

import io.muster.client.UnreachableException;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * How the {@code muster} command reports problems: bad usage as one line and exit code 2, runtime
 * failures as one line and exit code 1, with the stack trace only under {@code --verbose}.
 */
final class CommandErrors {

    static final int FAILURE = 1;
    static final int USAGE = 2;

    private CommandErrors() {
    }

    static int usage(CommandLine.ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        PrintWriter err = commandLine.getErr();
        String name = commandLine.getCommandSpec().qualifiedName();
        err.println(name + ": " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
        err.flush();
        return USAGE;
    }

    static int failure(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println(commandLine.getCommandSpec().qualifiedName() + ": " + describe(ex));
        if (verbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }

    /**
     * The message of the failure the user can act on: a {@link CommandFailure} or an exception
     * whose message is a sentence anywhere in the cause chain (the outermost wins), else the type.
     */
    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CommandFailure) {
                return oneLine(t.getMessage());
            }
            if (t instanceof UnreachableException) {
                return oneLine(t.getMessage()) + " (set --url or MUSTER_URL)";
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.isBlank() && !message.equals(String.valueOf(t.getCause()))) {
                return oneLine(message);
            }
        }
        return failure.getClass().getSimpleName() + " (run with --verbose for details)";
    }

    private static boolean verbose(CommandLine.ParseResult parseResult) {
        for (CommandLine.ParseResult level = parseResult; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
