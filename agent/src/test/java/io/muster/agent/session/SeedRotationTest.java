package io.muster.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedRotationTest {

    private static final List<String> SEEDS = List.of("a:1", "b:1", "c:1");

    @Test
    void backoffStep_growsOncePerRoundThroughTheSeeds_notPerFailure() {
        SeedRotation rotation = new SeedRotation(SEEDS, 0, 5_000);
        assertThat(rotation.failed("a:1", true, 0)).isZero();
        assertThat(rotation.failed("b:1", true, 10)).isZero();
        assertThat(rotation.failed("c:1", true, 20)).isEqualTo(1);
        assertThat(rotation.failed("a:1", true, 30)).isEqualTo(1);
        assertThat(rotation.failed("b:1", true, 40)).isEqualTo(1);
        assertThat(rotation.failed("c:1", true, 50)).isEqualTo(2);
    }

    @Test
    void anAddressThatRefusedRecently_isSkippedWhileAnotherHasNot() {
        SeedRotation rotation = new SeedRotation(SEEDS, 0, 5_000);
        assertThat(rotation.next(0)).isEqualTo("a:1");
        rotation.failed("a:1", true, 0);
        assertThat(rotation.next(100)).isEqualTo("b:1");
        rotation.failed("b:1", false, 100); // ended after its Welcome: not a refusal
        assertThat(rotation.next(200)).isEqualTo("c:1");
        rotation.failed("c:1", true, 200);
        // a:1 refused 300 ms ago, b:1 never refused: b:1, not a:1.
        assertThat(rotation.next(300)).isEqualTo("b:1");
        rotation.failed("b:1", true, 300);
        // Every seed refused within the memory: the plain next one.
        assertThat(rotation.next(400)).isEqualTo("c:1");
        rotation.failed("c:1", true, 400);
        // a:1's refusal is 5 s old: it is tried again.
        assertThat(rotation.next(5_000)).isEqualTo("a:1");
    }

    @Test
    void returnTo_wins_once() {
        SeedRotation rotation = new SeedRotation(SEEDS, 1, 5_000);
        rotation.returnTo("c:1");
        assertThat(rotation.next(0)).isEqualTo("c:1");
        assertThat(rotation.next(0)).isEqualTo("b:1");
    }

    @Test
    void welcome_resetsTheStepAndForgetsRefusals() {
        SeedRotation rotation = new SeedRotation(SEEDS, 0, 5_000);
        for (int i = 0; i < 6; i++) {
            rotation.failed(SEEDS.get(i % 3), true, i);
        }
        rotation.welcomed();
        assertThat(rotation.failed("a:1", true, 10)).isZero();
        assertThat(rotation.next(11)).isEqualTo("b:1");
    }
}
