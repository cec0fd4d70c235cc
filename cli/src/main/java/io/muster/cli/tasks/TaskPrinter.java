package io.muster.cli.tasks;

import io.muster.cli.api.Table;
import io.muster.client.MusterClient;
import io.muster.client.Run;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;

/** How tasks and their runs read in a terminal, and reading every run of a task. */
final class TaskPrinter {

    private TaskPrinter() {
    }

    /** Every run of a task, following the pages. */
    static JsonArray allRuns(MusterClient client, String taskId) {
        JsonArray runs = new JsonArray();
        for (Run run : client.tasks().runs(taskId)) {
            runs.add(run.json());
        }
        return runs;
    }

    static String counts(JsonObject counts) {
        StringBuilder text = new StringBuilder();
        for (String state : new String[] {"pending", "running", "succeeded", "failed", "timed_out", "cancelled", "host_lost"}) {
            long n = counts.getLong(state, 0L);
            if (n > 0) {
                text.append(text.length() == 0 ? "" : " ").append(state).append('=').append(n);
            }
        }
        return text.length() == 0 ? "-" : text.toString();
    }

    static void runs(JsonArray runs, PrintWriter out) {
        Table table = new Table("HOST", "STATE", "EXIT", "OUTPUT");
        for (Object item : runs) {
            JsonObject run = (JsonObject) item;
            table.row(run.getString("hostId"), run.getString("state"), run.getValue("exitCode"), output(run));
        }
        table.print(out);
    }

    /** The first line worth showing: stdout, else stderr, else the reason. */
    private static String output(JsonObject run) {
        for (String field : new String[] {"stdout", "stderr", "reason"}) {
            String text = run.getString(field);
            if (text != null && !text.isBlank()) {
                String line = text.strip().lines().findFirst().orElse("");
                return line.length() > 100 ? line.substring(0, 100) + "..." : line;
            }
        }
        return "";
    }
}
