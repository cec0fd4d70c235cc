package io.muster.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchSettingsTest {

    private static BenchSettings settings(int agents, int members, int simulators, Set<ScenarioName> scenarios) {
        return new BenchSettings(agents, members, Duration.ofSeconds(10), scenarios, false, Optional.empty(),
                Duration.ofSeconds(60), 500, simulators, 5000, Path.of("out"), List.of(50, 200), Duration.ofHours(1),
                RolloutPacing.DEFAULT);
    }

    private static BenchSettings settings(int agents, int members, Set<ScenarioName> scenarios) {
        return settings(agents, members, 1, scenarios);
    }

    @Test
    void chaosAndSoakRunAloneAndChaosNeedsTwoMembersAndTwoSimulators() {
        assertThatThrownBy(() -> settings(100, 3, 4, EnumSet.of(ScenarioName.CHAOS, ScenarioName.FANOUT)))
                .hasMessage("chaos and soak each run alone on a fleet of their own: ask for one of them only");
        assertThatThrownBy(() -> settings(100, 3, 4, EnumSet.of(ScenarioName.CHAOS, ScenarioName.SOAK)))
                .hasMessage("chaos and soak each run alone on a fleet of their own: ask for one of them only");
        assertThatThrownBy(() -> settings(100, 3, 1, EnumSet.of(ScenarioName.CHAOS)))
                .hasMessageContaining("needs at least 2 members and 2 simulators");
        assertThat(settings(100, 3, 4, EnumSet.of(ScenarioName.CHAOS, ScenarioName.CONNECT)).needsFleet()).isTrue();
        assertThat(settings(100, 3, 1, EnumSet.of(ScenarioName.SOAK)).needsFleet()).isTrue();
    }

    @Test
    void oneSimulatorPerFortyThousandAgents() {
        assertThat(BenchSettings.defaultSimulators(5_000)).isEqualTo(1);
        assertThat(BenchSettings.defaultSimulators(40_000)).isEqualTo(1);
        assertThat(BenchSettings.defaultSimulators(40_001)).isEqualTo(2);
        assertThat(BenchSettings.defaultSimulators(110_000)).isEqualTo(3);
    }

    @Test
    void failoverNeedsTwoMembersAndAgentsMustBePositive() {
        assertThatThrownBy(() -> settings(100, 1, EnumSet.of(ScenarioName.FAILOVER)))
                .hasMessage("the failover scenario needs at least 2 members, got 1");
        assertThatThrownBy(() -> settings(0, 3, EnumSet.of(ScenarioName.CONNECT)))
                .hasMessage("--agents must be at least 1, got 0");
        assertThat(settings(100, 1, EnumSet.of(ScenarioName.CEILING)).needsFleet()).isFalse();
        assertThat(settings(100, 1, EnumSet.of(ScenarioName.PEER)).needsFleet()).isFalse();
        assertThat(settings(100, 1, EnumSet.of(ScenarioName.STEADY)).needsFleet()).isTrue();
    }

    @Test
    void scenarioNamesAreReadCaseInsensitively() {
        assertThat(ScenarioName.fromWireName(" FanOut ")).contains(ScenarioName.FANOUT);
        assertThat(ScenarioName.fromWireName("fan-out")).isEmpty();
        assertThat(ScenarioName.DEFAULTS).doesNotContain(ScenarioName.PEER);
    }
}
