package io.muster.scheduler.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * SQL back end of {@link Selector}: a PostgreSQL boolean expression over a {@code jsonb} labels
 * column (object of strings) and a {@code jsonb} facts column (object of JSON scalars).
 *
 * <p>Every key and value is bound as a parameter, never written into the SQL text; only the
 * caller's column names are, and they are checked to be plain (optionally qualified) identifiers.
 * The expression agrees with {@link Selector#matches} on every host: values are read in their text
 * form with labels overriding facts, a numeric cast is guarded by the same pattern the in-memory
 * matcher uses, and globs become {@code LIKE} patterns with {@code %} and {@code _} escaped.
 * Each condition is TRUE or FALSE, never NULL, so the fragment may also be negated.
 * Pure and thread-safe.
 */
public final class SqlSelector {

    private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private SqlSelector() {
    }

    /**
     * Builds the {@code WHERE} expression for a selector.
     *
     * @param labelsColumn column (or {@code alias.column}) holding the labels object
     * @param factsColumn  column (or {@code alias.column}) holding the facts object
     * @param firstParam   number of the first placeholder, so the fragment can join a larger statement
     * @return {@code TRUE} with no params for the empty selector
     */
    public static SqlFragment where(Selector selector, String labelsColumn, String factsColumn, int firstParam) {
        return where(selector, labelsColumn, List.of(factsColumn), firstParam);
    }

    /**
     * Builds the {@code WHERE} expression for a selector over labels and several {@code jsonb}
     * objects of values (e.g. facts, then vitals), read in that order after the labels.
     *
     * @param factsColumns at least one column (or {@code alias.column}); the first that has a key wins
     */
    public static SqlFragment where(Selector selector, String labelsColumn, List<String> factsColumns, int firstParam) {
        requireColumn(labelsColumn);
        if (factsColumns.isEmpty()) {
            throw new IllegalArgumentException("at least one facts column");
        }
        factsColumns.forEach(SqlSelector::requireColumn);
        if (firstParam < 1) {
            throw new IllegalArgumentException("placeholders start at $1, got $" + firstParam);
        }
        if (selector.isEmpty()) {
            return new SqlFragment("TRUE", List.of());
        }
        Builder builder = new Builder(labelsColumn, factsColumns, firstParam);
        List<String> conditions = new ArrayList<>();
        for (Requirement requirement : selector.requirements()) {
            conditions.add(builder.condition(requirement));
        }
        return new SqlFragment("(" + String.join(" AND ", conditions) + ")", builder.params);
    }

    private static void requireColumn(String column) {
        if (column == null || !COLUMN.matcher(column).matches()) {
            throw new IllegalArgumentException("not a plain column name: " + column);
        }
    }

    private static final class Builder {
        private final String labels;
        private final List<String> facts;
        private final int firstParam;
        private final List<Object> params = new ArrayList<>();

        Builder(String labels, List<String> facts, int firstParam) {
            this.labels = labels;
            this.facts = facts;
            this.firstParam = firstParam;
        }

        private String bind(Object value) {
            params.add(value);
            return "$" + (firstParam + params.size() - 1);
        }

        /**
         * The key's text form, labels first; NULL when absent (JSON null counts as absent, as in
         * memory). A controller-owned key is read from the labels only.
         */
        private String valueOf(String key) {
            String k = bind(key) + "::text";
            StringBuilder value = new StringBuilder("COALESCE(").append(labels).append(" ->> ").append(k);
            if (!Selector.isControllerOwned(key)) {
                facts.forEach(column -> value.append(", ").append(column).append(" ->> ").append(k));
            }
            return value.append(')').toString();
        }

        String condition(Requirement requirement) {
            String value = valueOf(requirement.key());
            if (requirement instanceof Requirement.Equals) {
                return "COALESCE(" + value + " = " + bind(((Requirement.Equals) requirement).value()) + "::text, FALSE)";
            }
            if (requirement instanceof Requirement.NotEquals) {
                String bound = bind(((Requirement.NotEquals) requirement).value());
                return "(" + value + " IS DISTINCT FROM " + bound + "::text)";
            }
            if (requirement instanceof Requirement.In) {
                String bound = bind(((Requirement.In) requirement).values().toArray(new String[0]));
                return "COALESCE(" + value + " = ANY(" + bound + "::text[]), FALSE)";
            }
            if (requirement instanceof Requirement.NotIn) {
                String bound = bind(((Requirement.NotIn) requirement).values().toArray(new String[0]));
                return "(" + value + " IS NULL OR NOT (" + value + " = ANY(" + bound + "::text[])))";
            }
            if (requirement instanceof Requirement.Exists) {
                return "(" + value + " IS NOT NULL)";
            }
            if (requirement instanceof Requirement.Absent) {
                return "(" + value + " IS NULL)";
            }
            if (requirement instanceof Requirement.Compare) {
                Requirement.Compare compare = (Requirement.Compare) requirement;
                String bound = bind(compare.number());
                // CASE (not AND) so the cast only ever sees text the guard accepted.
                return "(CASE WHEN " + value + " ~ '" + Numbers.REGEX + "' THEN " + value + "::numeric "
                        + compare.comparison().symbol() + " " + bound + "::text::numeric ELSE FALSE END)";
            }
            if (requirement instanceof Requirement.Glob) {
                String bound = bind(Globs.toLike(((Requirement.Glob) requirement).pattern()));
                return "COALESCE(" + value + " LIKE " + bound + "::text ESCAPE '\\', FALSE)";
            }
            throw new IllegalStateException("no SQL for requirement " + requirement.getClass().getName());
        }
    }
}
