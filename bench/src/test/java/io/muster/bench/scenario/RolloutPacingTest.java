package io.muster.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.muster.scheduler.rollout.Amount;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutPacingTest {

    @Test
    void window_criticalPathIsTheGreedyMakespanThroughItsSlots() {
        RolloutPacing two = RolloutPacing.window(Amount.count(2));
        // Slots: [3] and [1, 1, 1] -> 3 s; the sum over the window (3 s) and the longest run (3 s) agree.
        assertThat(two.criticalPathSeconds(List.of(3.0, 1.0, 1.0, 1.0), List.of(1, 1, 1, 1), 4)).isCloseTo(3.0, within(1e-9));
        // Plan order counts: the long run last leaves one slot idle, 1 + 3 = 4 s.
        assertThat(two.criticalPathSeconds(List.of(1.0, 1.0, 1.0, 3.0), List.of(1, 1, 1, 1), 4)).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void windowInPercent_isOfThePlannedHosts() {
        RolloutPacing tenPercent = RolloutPacing.DEFAULT;
        List<Double> hundredRuns = Collections.nCopies(100, 0.5);
        // 10 slots, 10 runs each: 5 s.
        assertThat(tenPercent.criticalPathSeconds(hundredRuns, Collections.nCopies(100, 1), 100)).isCloseTo(5.0, within(1e-9));
    }

    @Test
    void waves_criticalPathIsTheSumOfEachWavesLongestRun() {
        RolloutPacing ramp = RolloutPacing.waves(List.of(Amount.count(1), Amount.count(2)));
        assertThat(ramp.criticalPathSeconds(List.of(0.5, 1.0, 2.0, 0.25), List.of(1, 2, 2, 3), 4)).isCloseTo(2.75, within(1e-9));
    }

    @Test
    void toJson_isTheStrategyFieldTheApiTakes() {
        assertThat(RolloutPacing.DEFAULT.toJson()).isEqualTo(new JsonObject().put("window", "10%"));
        assertThat(RolloutPacing.waves(List.of(Amount.count(1), Amount.percentOf(25))).toJson().encode())
                .isEqualTo("{\"waves\":[1,\"25%\"]}");
    }
}
