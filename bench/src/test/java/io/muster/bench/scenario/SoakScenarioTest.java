package io.muster.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SoakScenarioTest {

    private static final double MIB = 1024 * 1024;

    @Test
    void slopePerHour_isTheLeastSquaresLineThroughNoise() {
        double[] minutes = {8, 9, 10, 11, 12, 13, 14, 15};
        // 1 MiB per minute up, with +-0.5 MiB of noise: 60 MiB per hour.
        double[] heap = new double[minutes.length];
        for (int i = 0; i < minutes.length; i++) {
            heap[i] = 200 * MIB + minutes[i] * MIB + (i % 2 == 0 ? 0.5 : -0.5) * MIB;
        }

        assertThat(SoakScenario.slopePerHour(minutes, heap) / MIB).isCloseTo(60, within(5.0));
        assertThat(SoakScenario.slopePerHour(new double[] {1}, new double[] {5})).isNaN();
    }

    @Test
    void aLeakIsGrowthAboveTenPercentOfTheMeanPerHourOrTheFloor() {
        // 300 MiB heap: the limit is 32 MiB/h (10 % would be 30).
        assertThat(SoakScenario.HEAP.leaking(31 * MIB, 300 * MIB)).isFalse();
        assertThat(SoakScenario.HEAP.leaking(33 * MIB, 300 * MIB)).isTrue();
        // 1 GiB heap: 10 % (102.4 MiB/h) is above the floor.
        assertThat(SoakScenario.HEAP.leaking(100 * MIB, 1024 * MIB)).isFalse();
        assertThat(SoakScenario.HEAP.leaking(110 * MIB, 1024 * MIB)).isTrue();
        // A flat resource, or too few samples, is no leak.
        assertThat(SoakScenario.THREADS.leaking(-5, 150)).isFalse();
        assertThat(SoakScenario.FILES.leaking(Double.NaN, 400)).isFalse();
        assertThat(SoakScenario.FILES.leaking(60, 400)).isTrue();
    }
}
