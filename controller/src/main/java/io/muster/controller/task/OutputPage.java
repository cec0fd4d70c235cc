package io.muster.controller.task;

/**
 * How much run output a page of runs carries. A run keeps up to 1 MiB of stdout and of stderr, so
 * a page of 1,000 runs could be 2 GiB: a page carries at most {@value #PAGE_BYTES} bytes of output,
 * split evenly over its runs and their two streams (at least {@value #MIN_RUN_BYTES} each), cut in
 * the database so the rest never leaves it. A run whose output was cut says so and links to
 * {@code GET /api/v1/tasks/{id}/runs/{runId}/output}, which returns one stream whole.
 */
public final class OutputPage {

    public static final int PAGE_BYTES = 8 * 1024 * 1024;
    public static final int MIN_RUN_BYTES = 4 * 1024;

    private OutputPage() {
    }

    /** Bytes of each stream of each run in a page of {@code runs} runs. */
    public static int perStream(int runs) {
        return Math.max(MIN_RUN_BYTES, PAGE_BYTES / (2 * Math.max(1, runs)));
    }

    /** Where a run's whole output is served ({@code ?stream=stderr} for the other stream). */
    public static String link(Object taskId, Object runId) {
        return "/api/v1/tasks/" + taskId + "/runs/" + runId + "/output";
    }
}
