package io.muster.bench.peer;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A peer tool that failed is not compared: its wall time would measure the failure. */
class PeerScenarioTest {

    @Test
    void aNonZeroExit_stopsTheComparisonNamingToolCodeAndLog() {
        assertThatThrownBy(() -> PeerScenario.succeeded("facter --json", 1, Path.of("/tmp/peer/facter.log")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("facter --json exited 1 (see /tmp/peer/facter.log); not compared");
    }

    @Test
    void exitZero_isCompared() {
        assertThatCode(() -> PeerScenario.succeeded("facter --json", 0, Path.of("facter.log"))).doesNotThrowAnyException();
    }
}
