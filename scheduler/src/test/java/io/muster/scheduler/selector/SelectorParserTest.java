package io.muster.scheduler.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.scheduler.selector.Requirement.Absent;
import io.muster.scheduler.selector.Requirement.Compare;
import io.muster.scheduler.selector.Requirement.Comparison;
import io.muster.scheduler.selector.Requirement.Equals;
import io.muster.scheduler.selector.Requirement.Exists;
import io.muster.scheduler.selector.Requirement.Glob;
import io.muster.scheduler.selector.Requirement.In;
import io.muster.scheduler.selector.Requirement.NotEquals;
import io.muster.scheduler.selector.Requirement.NotIn;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SelectorParserTest {

    @Test
    void parse_everyForm_givesItsRequirement() {
        Selector selector = Selector.parse(
                "role=web,role!=db,dc in (ldn1,nyc2),dc notin (ldn1),gpu,!gpu,cpu.cores>=32,"
                        + "cpu.cores>4,mem<1.5,mem<=-2e3,hostname~web-*,env==prod");

        assertThat(selector.requirements()).containsExactly(
                new Equals("role", "web"),
                new NotEquals("role", "db"),
                new In("dc", List.of("ldn1", "nyc2")),
                new NotIn("dc", List.of("ldn1")),
                new Exists("gpu"),
                new Absent("gpu"),
                new Compare("cpu.cores", Comparison.GREATER_OR_EQUAL, "32"),
                new Compare("cpu.cores", Comparison.GREATER, "4"),
                new Compare("mem", Comparison.LESS, "1.5"),
                new Compare("mem", Comparison.LESS_OR_EQUAL, "-2e3"),
                new Glob("hostname", "web-*"),
                new Equals("env", "prod"));
    }

    @Test
    void parse_whitespaceAroundTokens_isIgnored() {
        Selector spaced = Selector.parse("  role = web ,  dc   in  ( ldn1 , nyc2 ) , ! gpu ,cpu.cores >= 32 , hostname ~ web-* ");

        assertThat(spaced).isEqualTo(Selector.parse("role=web,dc in (ldn1,nyc2),!gpu,cpu.cores>=32,hostname~web-*"));
    }

    @Test
    void parse_quotedValues_keepCommasSpacesQuotesAndBackslashes() {
        Selector selector = Selector.parse("note=\"a, b (c)\",team in (\"x y\",\"q\\\"uote\",\"back\\\\slash\"),empty=\"\"");

        assertThat(selector.requirements()).containsExactly(
                new Equals("note", "a, b (c)"),
                new In("team", List.of("x y", "q\"uote", "back\\slash")),
                new Equals("empty", ""));
    }

    @Test
    void parse_emptyOrBlank_isTheSelectorOfAllHosts() {
        assertThat(Selector.parse("").isEmpty()).isTrue();
        assertThat(Selector.parse(" \t ")).isEqualTo(Selector.all());
        assertThat(Selector.all().toString()).isEmpty();
    }

    @Test
    void parse_keysWithSlashesDotsDashesUnderscores_areAccepted() {
        assertThat(Selector.parse("team/owner.name-x_y=a").requirements())
                .containsExactly(new Equals("team/owner.name-x_y", "a"));
    }

    @Test
    void toString_isCanonical_andParsesBackToAnEqualSelector() {
        Selector selector = Selector.parse(" dc in (nyc2, ldn1, nyc2) , role = web,note=\"a, b\",!gpu,x~\"*\",c>=1.5e3 ");

        assertThat(selector.toString()).isEqualTo("dc in (ldn1,nyc2),role=web,note=\"a, b\",!gpu,x~*,c>=1.5e3");
        assertThat(Selector.parse(selector.toString())).isEqualTo(selector);
    }

    @Test
    void toString_quotesEmptyValuesAndEscapes() {
        Selector selector = Selector.of(List.of(new Equals("a", ""), new NotEquals("b", "say \"hi\" \\o/")));

        assertThat(selector.toString()).isEqualTo("a=\"\",b!=\"say \\\"hi\\\" \\\\o/\"");
        assertThat(Selector.parse(selector.toString())).isEqualTo(selector);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "role=         | 6  | a value after '='",
        "role!=        | 7  | a value after '!='",
        "role==        | 7  | a value after '=='",
        "role=web,     | 10 | a requirement after ','",
        ",role=web     | 1  | a key",
        "role=web dc=x | 10 | ',' or end of selector",
        "!             | 2  | a key after '!'",
        "!=web         | 2  | a key after '!'",
        "cpu>=abc      | 6  | a number after '>='",
        "cpu>          | 5  | a number after '>'",
        "cpu<1.        | 5  | a number after '<'",
        "cpu<=+1       | 6  | a number after '<='",
        "dc in ldn1    | 7  | '(' after 'in'",
        "dc notin      | 9  | '(' after 'notin'",
        "dc in (a b)   | 10 | ',' or ')'",
        "dc in (a,     | 10 | a value in the list",
        "dc in ()      | 8  | a value in the list",
        "dc in (a      | 9  | ',' or ')'",
        "dc is (a)     | 4  | an operator (=, !=, in, notin, >, >=, <, <=, ~), ',' or end of selector",
        "role!web      | 5  | an operator (=, !=, in, notin, >, >=, <, <=, ~), ',' or end of selector",
        "role=\"web    | 10 | a closing '\"'",
        "host~         | 6  | a glob pattern after '~'",
        "ro$le=web     | 3  | an operator (=, !=, in, notin, >, >=, <, <=, ~), ',' or end of selector",
    })
    void parse_malformed_saysColumnAndWhatWasExpected(String text, int column, String expected) {
        String input = text.replace("\\\"", "\"");
        String wanted = expected.replace("\\\"", "\"");

        assertThatThrownBy(() -> Selector.parse(input))
                .isInstanceOfSatisfying(SelectorSyntaxException.class, e -> {
                    assertThat(e.column()).as("column of %s", input).isEqualTo(column);
                    assertThat(e.expected()).isEqualTo(wanted);
                    assertThat(e.getMessage()).isEqualTo("at column " + column + ": expected " + wanted);
                })
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void requirements_builtInCode_rejectBadKeysAndNumbers() {
        assertThatThrownBy(() -> new Equals("bad key", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Exists("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Compare("a", Comparison.LESS, "1e5000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new In("a", List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
