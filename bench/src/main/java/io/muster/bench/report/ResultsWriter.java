package io.muster.bench.report;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's directory: {@code results.json} (every figure, the settings, the machine),
 * {@code summary.md} (what a person reads first, with the targets), and each scenario's SVG
 * charts. Stateless and thread-safe.
 */
public final class ResultsWriter {

    /** One line of the targets table. */
    public record Target(String what, String goal, String measured, Boolean met) {
    }

    /** Writes everything; returns the files written. */
    public List<Path> write(Path directory, JsonObject settings, JsonObject machine, List<ScenarioResult> results,
                            JsonObject fractions, List<Target> targets, String command) throws IOException {
        Files.createDirectories(directory);
        List<Path> written = new ArrayList<>();
        JsonObject scenarios = new JsonObject();
        for (ScenarioResult result : results) {
            scenarios.put(result.name(), result.figures());
        }
        JsonObject json = new JsonObject()
                .put("command", command)
                .put("settings", settings)
                .put("machine", machine)
                .put("scenarios", scenarios)
                .put("fractionsOfCeiling", fractions)
                .put("targets", targetsJson(targets));
        written.add(write(directory.resolve("results.json"), json.encodePrettily() + "\n"));
        List<String> charts = new ArrayList<>();
        for (ScenarioResult result : results) {
            for (Map.Entry<String, SvgChart> chart : result.charts().entrySet()) {
                written.add(write(directory.resolve(chart.getKey()), chart.getValue().render()));
                charts.add(chart.getKey());
            }
        }
        written.add(write(directory.resolve("summary.md"), markdown(command, settings, machine, results, fractions, targets, charts)));
        return written;
    }

    private static io.vertx.core.json.JsonArray targetsJson(List<Target> targets) {
        io.vertx.core.json.JsonArray array = new io.vertx.core.json.JsonArray();
        for (Target t : targets) {
            array.add(new JsonObject().put("what", t.what()).put("goal", t.goal()).put("measured", t.measured())
                    .put("met", t.met()));
        }
        return array;
    }

    static String markdown(String command, JsonObject settings, JsonObject machine, List<ScenarioResult> results,
                           JsonObject fractions, List<Target> targets, List<String> charts) {
        StringBuilder md = new StringBuilder();
        md.append("# Muster bench\n\n");
        md.append("`").append(command).append("`\n\n");
        md.append("Machine: ").append(machine.getInteger("cores")).append(" cores (")
                .append(machine.getString("cpuModel")).append("), ")
                .append(String.format(java.util.Locale.ROOT, "%.1f GiB", machine.getLong("memoryBytes", 0L) / (1024.0 * 1024 * 1024)))
                .append(" memory, ").append(machine.getString("kernel")).append(", JDK ").append(machine.getString("jdk"))
                .append("; load average at start ").append(String.format(java.util.Locale.ROOT, "%.2f",
                        machine.getDouble("loadAverageAtStart", 0.0))).append(", at the end ")
                .append(String.format(java.util.Locale.ROOT, "%.2f", machine.getDouble("loadAverageAtEnd", 0.0)))
                .append(" (other work on the machine competes with the bench for its cores).\n\n");
        md.append("Settings: ").append(settings.encode()).append("\n\n");
        if (!targets.isEmpty()) {
            md.append("## Targets\n\n| what | target | measured | met |\n|---|---|---|---|\n");
            for (Target t : targets) {
                md.append("| ").append(t.what()).append(" | ").append(t.goal()).append(" | ").append(t.measured())
                        .append(" | ").append(t.met() == null ? "n/a" : t.met() ? "yes" : "**no**").append(" |\n");
            }
            md.append('\n');
        }
        for (ScenarioResult result : results) {
            md.append("## ").append(result.name()).append("\n\n");
            for (String line : result.summary()) {
                md.append("- ").append(line).append('\n');
            }
            if (result.figures().containsKey("error")) {
                md.append("- **failed**: ").append(result.figures().getString("error")).append('\n');
            }
            md.append('\n');
        }
        if (!fractions.isEmpty()) {
            md.append("## Against the machine's ceilings\n\n");
            fractions.forEach(e -> md.append("- ").append(e.getKey()).append(": ")
                    .append(String.format(java.util.Locale.ROOT, "%.4f", ((Number) e.getValue()).doubleValue())).append('\n'));
            md.append('\n');
        }
        if (!charts.isEmpty()) {
            md.append("## Plots\n\n");
            for (String chart : charts) {
                md.append("![").append(chart).append("](").append(chart).append(")\n\n");
            }
        }
        return md.toString();
    }

    private static Path write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
