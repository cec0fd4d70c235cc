package io.muster.bench.scenario;

import io.muster.scheduler.rollout.Amount;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * How the rollout scenario's rollout proceeds ({@code --window} or {@code --waves}): exactly one
 * of a ramp of waves and a sliding window, as the API's strategy. Knows the runs' critical path
 * for its kind: the time a rollout with no scheduling cost at all would take with the same run
 * durations. Immutable.
 *
 * @param waves  the ramp, or null for a window
 * @param window the window, or null for waves
 */
public record RolloutPacing(List<Amount> waves, Amount window) {

    /** What the issue asks of the bench, and the API's default strategy: a window of 10 %. */
    public static final RolloutPacing DEFAULT = window(Amount.percentOf(10));

    public RolloutPacing {
        if ((waves == null) == (window == null)) {
            throw new IllegalArgumentException("give --window or --waves, not both");
        }
        if (waves != null) {
            waves = List.copyOf(waves);
            if (waves.isEmpty()) {
                throw new IllegalArgumentException("--waves must name at least one wave");
            }
        }
    }

    public static RolloutPacing window(Amount window) {
        return new RolloutPacing(null, window);
    }

    public static RolloutPacing waves(List<Amount> waves) {
        return new RolloutPacing(waves, null);
    }

    /** The strategy's {@code waves} or {@code window} field, as POST /api/v1/rollouts takes it. */
    public JsonObject toJson() {
        if (window != null) {
            return new JsonObject().put("window", window.toWire());
        }
        JsonArray ramp = new JsonArray();
        waves.forEach(wave -> ramp.add(wave.toWire()));
        return new JsonObject().put("waves", ramp);
    }

    /**
     * The runs' critical path in seconds: the lower bound of the rollout's time given how long its
     * runs took (agent clock), so that the rollout time minus it is what scheduling cost.
     *
     * <ul>
     *   <li>waves: each wave starts when the one before finished, so the sum over waves of the
     *       longest run of the wave;</li>
     *   <li>window of W slots: the makespan of the runs, in plan order, pushed through W slots,
     *       each run starting the instant a slot frees (greedy list scheduling: what an executor
     *       that refilled every slot at once would take). It is at least the sum of the runs / W
     *       and at least the longest run.</li>
     * </ul>
     *
     * @param durations each run's duration in seconds, in plan order
     * @param waveOf    each run's wave (same order; used with waves only)
     * @param planned   the rollout's planned hosts (a window in percent is of them)
     */
    public double criticalPathSeconds(List<Double> durations, List<Integer> waveOf, int planned) {
        if (waves != null) {
            List<Double> longest = new ArrayList<>();
            for (int i = 0; i < durations.size(); i++) {
                int wave = waveOf.get(i);
                while (longest.size() <= wave) {
                    longest.add(0.0);
                }
                longest.set(wave, Math.max(longest.get(wave), durations.get(i)));
            }
            return longest.stream().mapToDouble(Double::doubleValue).sum();
        }
        int slots = window.atLeastOneOf(planned);
        PriorityQueue<Double> freeAt = new PriorityQueue<>();
        double makespan = 0;
        for (double duration : durations) {
            double start = freeAt.size() < slots ? 0 : freeAt.poll();
            double end = start + duration;
            freeAt.add(end);
            makespan = Math.max(makespan, end);
        }
        return makespan;
    }

    @Override
    public String toString() {
        return window != null ? "window " + window : "waves " + waves;
    }
}
