package io.muster.scheduler.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlSelectorTest {

    @Test
    void where_emptySelector_isTrueWithoutParams() {
        SqlFragment fragment = SqlSelector.where(Selector.all(), "labels", "facts", 1);

        assertThat(fragment.sql()).isEqualTo("TRUE");
        assertThat(fragment.params()).isEmpty();
    }

    @Test
    void where_placeholdersStartAtFirstParam_andAreNumberedInOrder() {
        SqlFragment fragment = SqlSelector.where(Selector.parse("role=web,dc in (a,b)"), "h.labels", "h.facts", 3);

        assertThat(fragment.sql()).contains("$3", "$4", "$5", "$6").doesNotContain("$1", "$2", "$7");
        assertThat(fragment.params()).hasSize(4);
        assertThat(fragment.params().get(0)).isEqualTo("role");
        assertThat(fragment.params().get(1)).isEqualTo("web");
        assertThat(fragment.params().get(2)).isEqualTo("dc");
        assertThat((String[]) fragment.params().get(3)).containsExactly("a", "b");
        assertThat(fragment.sql()).contains("h.labels", "h.facts");
    }

    @Test
    void where_severalFactColumns_areReadInOrderAfterTheLabels_andEachMustBePlain() {
        SqlFragment fragment = SqlSelector.where(Selector.parse("load.1m>8"), "h.labels", List.of("h.facts", "h.vitals"), 1);

        assertThat(fragment.sql()).contains("COALESCE(h.labels ->> $1::text, h.facts ->> $1::text, h.vitals ->> $1::text)");
        assertThatThrownBy(() -> SqlSelector.where(Selector.parse("a=1"), "labels", List.of("facts", "vitals; --"), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlSelector.where(Selector.parse("a=1"), "labels", List.of(), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void where_keysAndValues_areBoundNeverWrittenIntoTheSql() {
        String hostile = "x'; DROP TABLE hosts; --";
        Selector selector = Selector.of(List.of(
                new Requirement.Equals("role", hostile),
                new Requirement.Glob("hostname", hostile + "*"),
                new Requirement.NotIn("dc", List.of(hostile))));

        SqlFragment fragment = SqlSelector.where(selector, "labels", "facts", 1);

        assertThat(fragment.sql()).doesNotContain("DROP", "role", "hostname", "dc");
        assertThat(fragment.params()).contains(hostile, "role", "hostname", "dc");
    }

    @Test
    void where_params_areOnlyStringsAndStringArrays() {
        SqlFragment fragment = SqlSelector.where(
                Selector.parse("a=1,b!=2,c in (3),d notin (4),e,!f,g>=5,h~i*"), "labels", "facts", 1);

        assertThat(fragment.params()).allSatisfy(p -> assertThat(p).isInstanceOfAny(String.class, String[].class));
    }

    @Test
    void where_badColumnNamesOrPlaceholder_areRejected() {
        Selector selector = Selector.parse("a=1");

        assertThatThrownBy(() -> SqlSelector.where(selector, "labels; DROP", "facts", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlSelector.where(selector, "labels", "facts", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toLike_escapesLikeWildcardsAndMapsGlobOnes() {
        assertThat(Globs.toLike("web-*_%?\\")).isEqualTo("web-%\\_\\%_\\\\");
    }
}
