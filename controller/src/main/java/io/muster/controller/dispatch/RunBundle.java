package io.muster.controller.dispatch;

import io.muster.controller.task.RunRef;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A compact, serializable list of runs (run id and host id) for one member: parallel arrays
 * rather than a list of objects, so a share of thousands of runs is one small message.
 */
final class RunBundle implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long[] mostSignificant;
    private final long[] leastSignificant;
    private final String[] hostIds;

    RunBundle(List<RunRef> runs) {
        int n = runs.size();
        mostSignificant = new long[n];
        leastSignificant = new long[n];
        hostIds = new String[n];
        for (int i = 0; i < n; i++) {
            RunRef run = runs.get(i);
            mostSignificant[i] = run.runId().getMostSignificantBits();
            leastSignificant[i] = run.runId().getLeastSignificantBits();
            hostIds[i] = run.hostId();
        }
    }

    int size() {
        return hostIds.length;
    }

    List<RunRef> runs() {
        List<RunRef> runs = new ArrayList<>(hostIds.length);
        for (int i = 0; i < hostIds.length; i++) {
            runs.add(new RunRef(new UUID(mostSignificant[i], leastSignificant[i]), hostIds[i]));
        }
        return runs;
    }
}
