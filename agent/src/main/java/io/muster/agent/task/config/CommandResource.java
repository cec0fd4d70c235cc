package io.muster.agent.task.config;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A command run for its effect, guarded so that it stays idempotent: skipped when {@code creates}
 * exists or when the {@code unless} shell command exits 0. Without a guard it runs on every apply.
 *
 * @param argv    the command as argv, or {@code /bin/sh -c <line>} for a shell command
 * @param display how it is named in results
 */
record CommandResource(String display, List<String> argv, String unless, Path creates, Path cwd,
                       Map<String, String> env) implements Resource {

    @Override
    public String type() {
        return "command";
    }

    @Override
    public String subjectField() {
        return "name";
    }

    @Override
    public String subject() {
        return display;
    }

    @Override
    public Change check(CommandRunner commands) throws ConfigException {
        if (creates != null && Files.exists(creates, LinkOption.NOFOLLOW_LINKS)) {
            return Change.unchanged("skipped: " + creates + " exists");
        }
        if (unless != null) {
            CommandRunner.Outcome guard = commands.shell(unless, cwd, env, false);
            if (guard.exitCode() == 0) {
                return Change.unchanged("skipped: unless exited 0");
            }
        }
        return Change.changed("run " + display, "");
    }

    /** Like {@link #check}, without running the {@code unless} guard: it is the spec's own shell line. */
    @Override
    public Change preview(CommandRunner commands) {
        if (creates != null && Files.exists(creates, LinkOption.NOFOLLOW_LINKS)) {
            return Change.unchanged("skipped: " + creates + " exists");
        }
        if (unless != null) {
            return Change.changed("run " + display + " unless its guard exits 0 (a dry run does not run the guard)", "");
        }
        return Change.changed("run " + display, "");
    }

    @Override
    public void apply(CommandRunner commands) throws ConfigException {
        if (!check(commands).changed()) {
            return;
        }
        CommandRunner.Outcome outcome = commands.run(argv, cwd, env, true);
        if (outcome.exitCode() != 0) {
            throw new ConfigException("command exited " + outcome.exitCode()
                    + (outcome.lastLine().isEmpty() ? "" : ": " + outcome.lastLine()));
        }
    }
}
