package io.muster.agent.task.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A systemd unit that is enabled or not and running or not ({@code null} = not managed).
 * Without systemctl, or with systemctl but no running systemd (a container), the check fails with
 * a reason saying so.
 */
record ServiceResource(String name, Boolean enabled, Boolean running) implements Resource {

    /** States {@code systemctl is-enabled} prints for an installed unit that is not enabled. */
    private static final Set<String> NOT_ENABLED = Set.of(
            "disabled", "masked", "masked-runtime", "linked", "linked-runtime", "indirect", "bad");

    @Override
    public String type() {
        return "service";
    }

    @Override
    public String subjectField() {
        return "name";
    }

    @Override
    public String subject() {
        return name;
    }

    @Override
    public Change check(CommandRunner commands) throws ConfigException {
        List<String> differences = new ArrayList<>();
        if (enabled != null && isEnabled(commands) != enabled) {
            differences.add(enabled ? "disabled (want enabled)" : "enabled (want disabled)");
        }
        if (running != null && isActive(commands) != running) {
            differences.add(running ? "stopped (want running)" : "running (want stopped)");
        }
        return differences.isEmpty() ? Change.unchanged("up to date") : Change.changed(String.join("; ", differences), "");
    }

    @Override
    public void apply(CommandRunner commands) throws ConfigException {
        if (enabled != null && isEnabled(commands) != enabled) {
            systemctl(commands, enabled ? "enable" : "disable");
        }
        if (running != null && isActive(commands) != running) {
            systemctl(commands, running ? "start" : "stop");
        }
        Change after = check(commands);
        if (after.changed()) {
            throw new ConfigException("systemctl succeeded but " + name + " is still " + after.description());
        }
    }

    private boolean isEnabled(CommandRunner commands) throws ConfigException {
        commands.require("systemctl", "service resources need systemd");
        CommandRunner.Outcome outcome = commands.run(List.of("systemctl", "is-enabled", name), null, Map.of(), false);
        requireSystemd(outcome);
        if (outcome.exitCode() == 0) {
            return true;
        }
        String state = outcome.stdout().strip();
        if (NOT_ENABLED.contains(state)) {
            return false;
        }
        // An unknown unit prints no state (only "Failed to get unit file state ... No such file or directory").
        throw new ConfigException("no systemd unit named " + name + " (systemctl is-enabled exited " + outcome.exitCode()
                + (outcome.lastLine().isEmpty() ? "" : ": " + outcome.lastLine()) + ")");
    }

    /** is-active answers by exit code: 0 active, anything else (inactive, failed, unknown unit) not. */
    private boolean isActive(CommandRunner commands) throws ConfigException {
        commands.require("systemctl", "service resources need systemd");
        CommandRunner.Outcome outcome = commands.run(List.of("systemctl", "is-active", name), null, Map.of(), false);
        requireSystemd(outcome);
        return outcome.exitCode() == 0;
    }

    private void systemctl(CommandRunner commands, String verb) throws ConfigException {
        CommandRunner.Outcome outcome = commands.run(List.of("systemctl", verb, name), null, Map.of(), true);
        requireSystemd(outcome);
        if (outcome.exitCode() != 0) {
            throw new ConfigException("systemctl " + verb + " " + name + " exited " + outcome.exitCode() + ": " + outcome.lastLine());
        }
    }

    private static void requireSystemd(CommandRunner.Outcome outcome) throws ConfigException {
        String output = (outcome.stderr() + "\n" + outcome.stdout()).toLowerCase(Locale.ROOT);
        if (output.contains("not been booted with systemd") || output.contains("failed to connect to bus")) {
            throw new ConfigException("systemd is not running on this host: " + outcome.lastLine());
        }
    }
}
