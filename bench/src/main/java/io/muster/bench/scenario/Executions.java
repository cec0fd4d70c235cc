package io.muster.bench.scenario;

import io.muster.cli.simulate.ExecutionReport;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the simulators executed, from the execution reports they write when stopped: how many
 * executions, of how many distinct runs, and the runs executed more than once ("twice") by the task
 * they belong to, so that a scenario with several tasks can say which one a duplicate came from.
 * Immutable.
 *
 * @param executions  runs executed, duplicates included
 * @param distinctRuns distinct run ids executed
 * @param twice       runs executed more than once, whatever their task
 * @param twiceByTask the same, by task id
 * @param twiceSample up to 20 of them, as the simulators name them ("host id/run id")
 */
record Executions(long executions, long distinctRuns, long twice, Map<String, Long> twiceByTask, List<String> twiceSample) {

    static Executions of(List<ExecutionReport> reports, TaskRuns runs) throws SQLException {
        List<String> duplicates = new ArrayList<>();
        reports.forEach(r -> duplicates.addAll(r.duplicateRuns()));
        // The simulators name a duplicate "<host id>/<run id>"; host ids hold no '/'.
        List<String> runIds = duplicates.stream().map(d -> d.substring(d.lastIndexOf('/') + 1)).toList();
        return new Executions(reports.stream().mapToLong(ExecutionReport::executions).sum(),
                reports.stream().mapToLong(ExecutionReport::distinctRuns).sum(), duplicates.size(), Map.copyOf(runs.tasksOf(runIds)),
                List.copyOf(duplicates.subList(0, Math.min(20, duplicates.size()))));
    }

    /** Runs of these tasks executed more than once. */
    long twice(List<String> taskIds) {
        return taskIds.stream().mapToLong(id -> twiceByTask.getOrDefault(id, 0L)).sum();
    }
}
