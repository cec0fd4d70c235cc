package io.muster.scheduler.selector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys under muster.io/ are read from labels alone, by both back ends. */
class ControllerOwnedKeysTest {

    @Test
    void ownedKey_matchesALabel_neverAFact() {
        Selector owned = Selector.parse("muster.io/team=blue");
        assertThat(owned.matches(Map.of("muster.io/team", "blue"), Map.of())).isTrue();
        assertThat(owned.matches(Map.of(), Map.of("muster.io/team", "blue"))).isFalse();
        assertThat(Selector.parse("muster.io/team").matches(Map.of(), Map.of("muster.io/team", "blue"))).isFalse();
        assertThat(Selector.parse("!muster.io/team").matches(Map.of(), Map.of("muster.io/team", "blue"))).isTrue();
        // A plain key still falls back to facts.
        assertThat(Selector.parse("team=blue").matches(Map.of(), Map.of("team", "blue"))).isTrue();
    }

    @Test
    void ownedKey_sqlReadsTheLabelsColumnOnly() {
        SqlFragment owned = SqlSelector.where(Selector.parse("muster.io/team=blue"), "labels", List.of("facts", "vitals"), 1);
        assertThat(owned.sql()).contains("labels").doesNotContain("facts").doesNotContain("vitals");
        SqlFragment plain = SqlSelector.where(Selector.parse("team=blue"), "labels", List.of("facts", "vitals"), 1);
        assertThat(plain.sql()).contains("facts");
    }

    @Test
    void keyNotControllerOwned_namesTheFirstReportedKey() {
        assertThat(Selector.parse("muster.io/team=blue,muster.io/env in (prod)").keyNotControllerOwned()).isEmpty();
        assertThat(Selector.parse("muster.io/team=blue,role=web").keyNotControllerOwned()).contains("role");
        assertThat(Selector.parse("muster.io-team=blue").keyNotControllerOwned()).contains("muster.io-team");
    }
}
