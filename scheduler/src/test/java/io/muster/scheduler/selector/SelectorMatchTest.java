package io.muster.scheduler.selector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorMatchTest {

    private static final Map<String, String> LABELS = Map.of("role", "web", "dc", "ldn1", "cores", "64");
    private static final Map<String, Object> FACTS = Map.of(
            "hostname", "web-01.ldn1",
            "cpu.cores", 32L,
            "cpu.logical", 64,
            "mem.ratio", 0.75,
            "big", 1.0E20,
            "gpu", true,
            "role", "db",
            "os.version", "12.5-beta");

    private static boolean matches(String selector) {
        return Selector.parse(selector).matches(LABELS, FACTS);
    }

    @Test
    void matches_emptySelector_selectsEveryHost() {
        assertThat(Selector.parse("").matches(Map.of(), Map.of())).isTrue();
    }

    @Test
    void matches_labelsOverrideFacts() {
        assertThat(matches("role=web")).isTrue();
        assertThat(matches("role=db")).isFalse();
    }

    @Test
    void matches_equality_comparesTheTextForm() {
        assertThat(matches("cpu.cores=32")).isTrue();
        assertThat(matches("cpu.logical=64")).isTrue();
        assertThat(matches("gpu=true")).isTrue();
        assertThat(matches("mem.ratio=0.75")).isTrue();
        assertThat(matches("big=100000000000000000000")).isTrue();
        assertThat(matches("cpu.cores=32.0")).isFalse();
    }

    @Test
    void matches_notEqualsAndNotIn_areTrueForAbsentKeys() {
        assertThat(matches("rack!=r1")).isTrue();
        assertThat(matches("rack notin (r1,r2)")).isTrue();
        assertThat(matches("dc!=ldn1")).isFalse();
        assertThat(matches("dc notin (ldn1,nyc2)")).isFalse();
        assertThat(matches("dc notin (nyc2)")).isTrue();
    }

    @Test
    void matches_in_needsThePresentKeyToEqualOneValue() {
        assertThat(matches("dc in (ldn1,nyc2)")).isTrue();
        assertThat(matches("dc in (nyc2)")).isFalse();
        assertThat(matches("rack in (r1)")).isFalse();
    }

    @Test
    void matches_existence() {
        assertThat(matches("gpu")).isTrue();
        assertThat(matches("!gpu")).isFalse();
        assertThat(matches("maintenance")).isFalse();
        assertThat(matches("!maintenance")).isTrue();
    }

    @Test
    void matches_numericComparisons_onNumbersAndNumericText() {
        assertThat(matches("cpu.cores>=32")).isTrue();
        assertThat(matches("cpu.cores>32")).isFalse();
        assertThat(matches("cpu.cores<32.5")).isTrue();
        assertThat(matches("cpu.cores<=31")).isFalse();
        assertThat(matches("cores>63")).as("a label holding a number compares as a number").isTrue();
        assertThat(matches("mem.ratio<1")).isTrue();
        assertThat(matches("big>1e19")).isTrue();
    }

    @Test
    void matches_numericComparisons_areFalseWhenAbsentOrNotNumeric() {
        assertThat(matches("rack>0")).isFalse();
        assertThat(matches("rack<0")).isFalse();
        assertThat(matches("gpu>0")).isFalse();
        assertThat(matches("os.version>1")).isFalse();
        assertThat(matches("hostname<=0")).isFalse();
    }

    @Test
    void matches_glob_wholeValueWithStarAndQuestionMark() {
        assertThat(matches("hostname~web-*")).isTrue();
        assertThat(matches("hostname~web-0?.ldn1")).isTrue();
        assertThat(matches("hostname~web-?.ldn1")).isFalse();
        assertThat(matches("hostname~web")).isFalse();
        assertThat(matches("hostname~*ldn1")).isTrue();
        assertThat(matches("hostname~*")).isTrue();
        assertThat(matches("rack~*")).as("a glob needs the key").isFalse();
    }

    @Test
    void matches_glob_treatsRegexAndLikeCharactersLiterally() {
        Map<String, Object> facts = Map.of("name", "a.b%c_d[e]\\f");

        assertThat(Selector.parse("name~\"a.b%c_d[e]\\\\f\"").matches(Map.of(), facts)).isTrue();
        assertThat(Selector.parse("name~a?b*").matches(Map.of(), facts)).isTrue();
        assertThat(Selector.parse("name~a.b%c?d*").matches(Map.of(), facts)).isTrue();
        assertThat(Selector.parse("name~axb*").matches(Map.of(), facts)).isFalse();
        assertThat(Selector.parse("name~a.b_c*").matches(Map.of(), facts)).isFalse();
    }

    @Test
    void matches_allRequirements_mustHold() {
        assertThat(matches("role=web,dc in (ldn1),cpu.cores>=32,!maintenance,hostname~web-*")).isTrue();
        assertThat(matches("role=web,dc in (ldn1),cpu.cores>=33")).isFalse();
    }

    @Test
    void textOf_followsPostgresJsonbText() {
        assertThat(HostValues.textOf(4L)).isEqualTo("4");
        assertThat(HostValues.textOf(4.0)).isEqualTo("4.0");
        assertThat(HostValues.textOf(1.0E-5)).isEqualTo("0.000010");
        assertThat(HostValues.textOf(false)).isEqualTo("false");
        assertThat(HostValues.textOf(null)).isNull();
    }
}
