package io.muster.scheduler.rollout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Arranges a rollout's hosts once, when it is created: order (by id, or shuffled by the seed),
 * then spread (round-robin over the values of {@code spreadBy}, so any run of consecutive hosts
 * takes from every group that still has hosts), then cut into waves. The same input gives the
 * same plan. Pure.
 */
public final class Plan {

    private Plan() {
    }

    public static List<PlannedHost> arrange(List<Candidate> candidates, Strategy strategy) {
        List<Candidate> ordered = new ArrayList<>(candidates);
        ordered.sort(Comparator.comparing(Candidate::hostId));
        if (strategy.order().random()) {
            Collections.shuffle(ordered, new Random(strategy.order().seed()));
        }
        if (strategy.spreadBy() != null) {
            ordered = interleave(ordered);
        }
        List<Integer> sizes = waveSizes(ordered.size(), strategy);
        List<PlannedHost> plan = new ArrayList<>(ordered.size());
        int position = 0;
        for (int wave = 0; wave < sizes.size(); wave++) {
            for (int i = 0; i < sizes.get(wave); i++, position++) {
                plan.add(new PlannedHost(position, ordered.get(position).hostId(), wave));
            }
        }
        return plan;
    }

    /**
     * The size of each wave for {@code total} hosts: the canary first, then the ramp (percents of
     * the total, at least one host each; the last entry repeats). In window mode the hosts after
     * the canary form one wave that the window works through.
     */
    public static List<Integer> waveSizes(int total, Strategy strategy) {
        List<Integer> sizes = new ArrayList<>();
        int left = total;
        if (strategy.canary() != null && left > 0) {
            int canary = Math.min(left, strategy.canary().hosts());
            sizes.add(canary);
            left -= canary;
        }
        if (strategy.waves() == null) {
            if (left > 0) {
                sizes.add(left);
            }
            return sizes;
        }
        int entry = 0;
        while (left > 0) {
            Amount amount = strategy.waves().get(Math.min(entry, strategy.waves().size() - 1));
            int size = Math.min(left, amount.atLeastOneOf(total));
            sizes.add(size);
            left -= size;
            entry++;
        }
        return sizes;
    }

    // Groups in order of their first host; then one host from each group in turn.
    private static List<Candidate> interleave(List<Candidate> ordered) {
        Map<String, List<Candidate>> groups = new LinkedHashMap<>();
        for (Candidate candidate : ordered) {
            String key = candidate.spreadValue() == null ? "\u0000none" : candidate.spreadValue();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(candidate);
        }
        List<Candidate> result = new ArrayList<>(ordered.size());
        int round = 0;
        while (result.size() < ordered.size()) {
            for (List<Candidate> group : groups.values()) {
                if (round < group.size()) {
                    result.add(group.get(round));
                }
            }
            round++;
        }
        return result;
    }
}
