package io.muster.controller.dispatch;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A compact, serializable list of run ids for one member: two long arrays rather than a list of
 * objects, so a share of thousands of runs is one small message. No host ids: the receiver takes
 * each run's host from PostgreSQL, never from the message.
 */
final class RunBundle implements Serializable {

    private static final long serialVersionUID = 2L;

    private final long[] mostSignificant;
    private final long[] leastSignificant;

    RunBundle(List<UUID> runIds) {
        int n = runIds.size();
        mostSignificant = new long[n];
        leastSignificant = new long[n];
        for (int i = 0; i < n; i++) {
            mostSignificant[i] = runIds.get(i).getMostSignificantBits();
            leastSignificant[i] = runIds.get(i).getLeastSignificantBits();
        }
    }

    int size() {
        return mostSignificant.length;
    }

    /** The ids; a bundle whose arrays disagree in length (a forged one) yields the common prefix. */
    List<UUID> runIds() {
        int n = Math.min(mostSignificant.length, leastSignificant.length);
        List<UUID> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(new UUID(mostSignificant[i], leastSignificant[i]));
        }
        return ids;
    }
}
