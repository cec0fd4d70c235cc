package io.muster.cli.agent;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code muster agent --config FILE} (the package installs {@code /etc/muster/agent.conf}): a
 * Java properties file with one agent option per line, named as on the command line without its
 * dashes ({@code controller=10.0.0.1:7070}, {@code data-dir=/var/lib/muster-agent},
 * {@code no-supervisor=true}). Options given on the command line win over the file. An unknown
 * name, or a name the file may not set, is a usage error, so a typo is never silently ignored.
 */
final class AgentConfigFile {

    /** Options that only make sense on a command line. */
    private static final Set<String> NOT_IN_FILE = Set.of("config", "help", "version", "supervised", "parent-pid",
            "enroll");

    private AgentConfigFile() {
    }

    /**
     * The agent's arguments with the file's settings in front of the command line's (without
     * {@code --config}), for the agent command to run with.
     *
     * @param commandLine the options matched on the command line, as {@code --name value...}
     */
    static List<String> merge(CommandSpec spec, Path file, List<String> commandLine) {
        Map<String, String> settings = read(spec, file);
        Set<String> given = spec.commandLine().getParseResult().matchedOptions().stream()
                .map(OptionSpec::longestName).collect(Collectors.toSet());
        List<String> merged = new ArrayList<>();
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            String name = "--" + setting.getKey();
            if (given.contains(name)) {
                continue;
            }
            OptionSpec option = spec.findOption(name);
            if (option.arity().max() == 0) {
                if (Boolean.parseBoolean(setting.getValue())) {
                    merged.add(name);
                }
            } else {
                merged.add(name);
                merged.add(setting.getValue());
            }
        }
        for (int i = 0; i < commandLine.size(); i++) {
            if (commandLine.get(i).equals("--config")) {
                i++;
                continue;
            }
            merged.add(commandLine.get(i));
        }
        return merged;
    }

    private static Map<String, String> read(CommandSpec spec, Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config " + file + " cannot be read: " + e.getMessage());
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            String name = key.strip();
            OptionSpec option = spec.findOption("--" + name);
            if (option == null || NOT_IN_FILE.contains(name) || option.hidden()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--config " + file + ": '" + name + "' is not an agent setting (use the option names of `muster agent --help` without the dashes)");
            }
            settings.put(name, properties.getProperty(key).strip());
        }
        return settings;
    }
}
