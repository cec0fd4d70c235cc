package io.muster.agent.task.config;

import java.nio.file.Path;

/** A package that is installed ({@code present}) or not ({@code absent}), through apt or dnf. */
record PackageResource(String name, boolean present, Path osRelease) implements Resource {

    @Override
    public String type() {
        return "package";
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
        PackageManager manager = PackageManager.detect(osRelease);
        boolean installed = manager.installed(commands, name);
        if (installed == present) {
            return Change.unchanged(present ? "installed" : "not installed");
        }
        return Change.changed(present ? "not installed: install with " + manager.installer()
                : "installed: remove with " + manager.installer(), "");
    }

    @Override
    public void apply(CommandRunner commands) throws ConfigException {
        PackageManager manager = PackageManager.detect(osRelease);
        if (manager.installed(commands, name) == present) {
            return;
        }
        if (present) {
            manager.install(commands, name);
        } else {
            manager.remove(commands, name);
        }
        if (manager.installed(commands, name) != present) {
            throw new ConfigException(manager.installer() + " finished but " + name + " is still "
                    + (present ? "not installed" : "installed"));
        }
    }
}
