package io.muster.cli.simulate;

import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatedAgent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a simulator process executed, written as JSON when it stops ({@code muster simulate
 * --report-file FILE}) and read by the bench to check that no run was executed twice.
 *
 * <p>Only the counts and the run ids executed more than once are kept, so the file stays small at
 * 100,000 runs. Written atomically (temp file + rename): a reader never sees half a report.
 * Immutable and thread-safe.
 *
 * @param agents          agents the simulator ran
 * @param connected       agents connected when it stopped
 * @param executions      task executions started, in total
 * @param distinctRuns    distinct run ids executed
 * @param duplicateRuns   run ids executed more than once (empty when delivery was exactly-once in effect)
 */
public record ExecutionReport(int agents, int connected, long executions, long distinctRuns,
                             List<String> duplicateRuns) {

    public ExecutionReport {
        duplicateRuns = List.copyOf(duplicateRuns);
    }

    /** The report of a running simulator: every agent's executed runs, keyed "hostId/runId". */
    public static ExecutionReport of(FleetSimulator simulator) {
        Map<String, Integer> runs = new HashMap<>();
        for (SimulatedAgent agent : simulator.agents()) {
            agent.executedRuns().forEach((run, count) -> runs.put(agent.hostId() + "/" + run, count));
        }
        return of(simulator.agents().size(), simulator.connectedCount(), runs);
    }

    /** A report from per-run execution counts. */
    public static ExecutionReport of(int agents, int connected, Map<String, Integer> executionsByRun) {
        long executions = 0;
        List<String> duplicates = new ArrayList<>();
        for (Map.Entry<String, Integer> entry : executionsByRun.entrySet()) {
            executions += entry.getValue();
            if (entry.getValue() > 1) {
                duplicates.add(entry.getKey());
            }
        }
        Collections.sort(duplicates);
        return new ExecutionReport(agents, connected, executions, executionsByRun.size(), duplicates);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("agents", agents)
                .put("connected", connected)
                .put("executions", executions)
                .put("distinctRuns", distinctRuns)
                .put("duplicateRuns", new JsonArray(new ArrayList<>(duplicateRuns)));
    }

    public static ExecutionReport fromJson(JsonObject json) {
        List<String> duplicates = new ArrayList<>();
        json.getJsonArray("duplicateRuns", new JsonArray()).forEach(id -> duplicates.add(String.valueOf(id)));
        return new ExecutionReport(json.getInteger("agents", 0), json.getInteger("connected", 0),
                json.getLong("executions", 0L), json.getLong("distinctRuns", 0L), duplicates);
    }

    /** Writes atomically: the file is either absent or complete. */
    public void write(Path file) {
        try {
            Path absolute = file.toAbsolutePath();
            Files.createDirectories(absolute.getParent());
            Path temp = absolute.resolveSibling(absolute.getFileName() + ".tmp");
            Files.writeString(temp, toJson().encodePrettily(), StandardCharsets.UTF_8);
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the execution report " + file + ": " + e.getMessage(), e);
        }
    }

    /** @throws UncheckedIOException when the file is missing or unreadable */
    public static ExecutionReport read(Path file) {
        try {
            return fromJson(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the execution report " + file + ": " + e.getMessage(), e);
        }
    }
}
