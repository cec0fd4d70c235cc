package io.muster.agent.session;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which controller address the next connect goes to, and when the reconnect backoff grows.
 *
 * <ul>
 *   <li>The backoff step grows once per round through the seed list, not once per failed
 *       attempt: a dead member that stays in the list refuses instantly, and counting each of
 *       those refusals would push every agent's backoff to its cap during a failover.</li>
 *   <li>An address that refused within the last {@code refusalMemoryMs} (connection refused, a
 *       member starting, a stream that ended before its Welcome) is skipped while another is
 *       not, so a round does not keep visiting the member that just died.</li>
 *   <li>A stream to the owner a member redirected us to that fails sends the next connect back
 *       to that member, which learns the new owner within about one partition migration.</li>
 * </ul>
 *
 * <p>Not thread-safe: the session calls it under its lock.
 */
final class SeedRotation {

    private final List<String> seeds;
    private final long refusalMemoryMs;
    private final Map<String, Long> refusedAt = new HashMap<>();
    private int index;
    private int failuresInRound;
    private int round;
    private String returnTo;

    SeedRotation(List<String> seeds, int start, long refusalMemoryMs) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one controller address is required");
        }
        this.seeds = seeds;
        this.index = Math.floorMod(start, seeds.size());
        this.refusalMemoryMs = refusalMemoryMs;
    }

    /**
     * The address of the next connect: the member to return to if one is set, else the next seed
     * that has not refused recently (the plain next one when all have).
     */
    String next(long nowMs) {
        if (returnTo != null) {
            String address = returnTo;
            returnTo = null;
            return address;
        }
        for (int tried = 0; tried < seeds.size(); tried++) {
            String candidate = seeds.get(Math.floorMod(index + tried, seeds.size()));
            Long refused = refusedAt.get(candidate);
            if (refused == null || nowMs - refused >= refusalMemoryMs) {
                index = Math.floorMod(index + tried, seeds.size());
                return candidate;
            }
        }
        return seeds.get(index);
    }

    /**
     * A connect to {@code address} failed; {@code refused} when it never got a Welcome (the
     * address is then skipped for a while). Returns the backoff step to draw the delay from: it
     * grows by one each time the failures cover the whole seed list.
     */
    int failed(String address, boolean refused, long nowMs) {
        if (refused) {
            refusedAt.put(address, nowMs);
        }
        index = Math.floorMod(index + 1, seeds.size());
        failuresInRound++;
        if (failuresInRound >= seeds.size()) {
            failuresInRound = 0;
            round = Math.min(round + 1, 40);
        }
        return round;
    }

    /** The next connect goes to {@code address} first (the member that redirected us, or a busy owner). */
    void returnTo(String address) {
        returnTo = address;
    }

    /** Welcomed: the backoff starts from its first step again and no address is remembered as refusing. */
    void welcomed() {
        failuresInRound = 0;
        round = 0;
        refusedAt.clear();
        returnTo = null;
    }
}
