package io.muster.scheduler.selector;

import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for selector text; one instance per parse, not thread-safe.
 *
 * <pre>
 * selector    := ws | requirement (ws ',' requirement)* ws
 * requirement := ws '!' ws key
 *              | ws key ws [ ('=' | '==' | '!=' | '~') ws value
 *                          | ('>' | '>=' | '<' | '<=') ws number
 *                          | ('in' | 'notin') ws '(' ws value (ws ',' ws value)* ws ')' ]
 * value       := '"' (char | '\' char)* '"' | one or more characters other than whitespace , ( ) "
 * </pre>
 */
final class SelectorParser {

    private static final String OPERATOR =
            "an operator (=, !=, in, notin, >, >=, <, <=, ~), ',' or end of selector";

    private final String text;
    private int pos;

    SelectorParser(String text) {
        this.text = text;
    }

    List<Requirement> parse() {
        List<Requirement> requirements = new ArrayList<>();
        skipWhitespace();
        if (atEnd()) {
            return requirements;
        }
        while (true) {
            requirements.add(requirement());
            skipWhitespace();
            if (atEnd()) {
                return requirements;
            }
            if (peek() != ',') {
                throw error("',' or end of selector");
            }
            pos++;
            skipWhitespace();
            if (atEnd()) {
                throw error("a requirement after ','");
            }
        }
    }

    private Requirement requirement() {
        skipWhitespace();
        if (!atEnd() && peek() == '!') {
            pos++;
            skipWhitespace();
            return new Requirement.Absent(key("a key after '!'"));
        }
        String key = key("a key");
        skipWhitespace();
        if (atEnd() || peek() == ',') {
            return new Requirement.Exists(key);
        }
        char c = peek();
        switch (c) {
            case '=':
                pos++;
                if (!atEnd() && peek() == '=') {
                    pos++;
                    return new Requirement.Equals(key, value("a value after '=='"));
                }
                return new Requirement.Equals(key, value("a value after '='"));
            case '!':
                if (pos + 1 < text.length() && text.charAt(pos + 1) == '=') {
                    pos += 2;
                    return new Requirement.NotEquals(key, value("a value after '!='"));
                }
                throw error(OPERATOR);
            case '~':
                pos++;
                return new Requirement.Glob(key, value("a glob pattern after '~'"));
            case '>':
            case '<':
                return comparison(key);
            default:
                return setOrFail(key);
        }
    }

    private Requirement comparison(String key) {
        boolean greater = peek() == '>';
        pos++;
        boolean orEqual = !atEnd() && peek() == '=';
        if (orEqual) {
            pos++;
        }
        Requirement.Comparison comparison = greater
                ? (orEqual ? Requirement.Comparison.GREATER_OR_EQUAL : Requirement.Comparison.GREATER)
                : (orEqual ? Requirement.Comparison.LESS_OR_EQUAL : Requirement.Comparison.LESS);
        String expected = "a number after '" + comparison.symbol() + "'";
        skipWhitespace();
        int start = pos;
        String number = value(expected);
        if (!Numbers.isNumber(number)) {
            pos = start;
            throw error(expected);
        }
        return new Requirement.Compare(key, comparison, number);
    }

    private Requirement setOrFail(String key) {
        int start = pos;
        while (!atEnd() && Character.isLetter(peek())) {
            pos++;
        }
        String word = text.substring(start, pos);
        boolean in = word.equals("in");
        if (!in && !word.equals("notin")) {
            pos = start;
            throw error(OPERATOR);
        }
        skipWhitespace();
        if (atEnd() || peek() != '(') {
            throw error("'(' after '" + word + "'");
        }
        pos++;
        List<String> values = new ArrayList<>();
        while (true) {
            values.add(value("a value in the list"));
            skipWhitespace();
            if (atEnd() || (peek() != ',' && peek() != ')')) {
                throw error("',' or ')'");
            }
            if (text.charAt(pos++) == ')') {
                break;
            }
        }
        return in ? new Requirement.In(key, values) : new Requirement.NotIn(key, values);
    }

    private String key(String expected) {
        int start = pos;
        while (!atEnd() && Keys.isKeyChar(peek())) {
            pos++;
        }
        if (pos == start) {
            throw error(expected);
        }
        return text.substring(start, pos);
    }

    private String value(String expected) {
        skipWhitespace();
        if (atEnd()) {
            throw error(expected);
        }
        if (peek() == '"') {
            return quoted();
        }
        int start = pos;
        while (!atEnd() && !Character.isWhitespace(peek()) && ",()\"".indexOf(peek()) < 0) {
            pos++;
        }
        if (pos == start) {
            throw error(expected);
        }
        return text.substring(start, pos);
    }

    private String quoted() {
        pos++;
        StringBuilder value = new StringBuilder();
        while (!atEnd()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return value.toString();
            }
            if (c == '\\') {
                if (atEnd()) {
                    break;
                }
                c = text.charAt(pos++);
            }
            value.append(c);
        }
        throw error("a closing '\"'");
    }

    private void skipWhitespace() {
        while (!atEnd() && Character.isWhitespace(peek())) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private char peek() {
        return text.charAt(pos);
    }

    private SelectorSyntaxException error(String expected) {
        return new SelectorSyntaxException(pos + 1, expected);
    }
}
