package io.muster.controller.store;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The order of a host listing: one key, ascending or descending ({@code -} in front), hosts
 * without a value last either way, ties broken by id in the same direction. Keys are the host's
 * fields ({@code hostname}, {@code state}, {@code lifecycle}, {@code lastSeen}, {@code firstSeen},
 * {@code agentVersion}, {@code id}) or {@code fact:<key>}: a label, fact or vital (load.1m), in
 * that order, as a selector reads it (a JSON value orders numbers as numbers).
 *
 * @param text       the sort as given, e.g. {@code -lastSeen}; also the name a cursor carries
 * @param expression SQL of the value (over the hosts table's columns); the fact key is bound
 * @param sqlType    the expression's type, to cast a cursor's text form back
 * @param factKey    the label/fact key of a {@code fact:} sort, else null
 */
public record HostSort(String text, String expression, String sqlType, String factKey, boolean descending) {

    /** The listing's natural order, which is the primary key's. */
    public static final HostSort ID = new HostSort("id", "id", "text", null, false);

    // The same key alphabet as selectors and labels.
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.\\-/]{1,128}");
    private static final Map<String, String[]> FIELDS = Map.of(
            "id", new String[] {"id", "text"},
            "hostname", new String[] {"hostname", "text"},
            "state", new String[] {"state", "text"},
            "lifecycle", new String[] {"lifecycle", "text"},
            "lastSeen", new String[] {"last_seen", "timestamptz"},
            "firstSeen", new String[] {"first_seen", "timestamptz"},
            "agentVersion", new String[] {"agent_version", "text"});
    static final String KEYS = "id, hostname, state, lifecycle, lastSeen, firstSeen, agentVersion or fact:<label or fact key>";

    /**
     * Parses {@code [-]key}; null or blank is {@link #ID}.
     *
     * @throws IllegalArgumentException naming the key and the ones there are
     */
    public static HostSort parse(String text) {
        if (text == null || text.isBlank()) {
            return ID;
        }
        String spec = text.strip();
        boolean descending = spec.startsWith("-");
        String key = descending ? spec.substring(1) : spec;
        String[] field = FIELDS.get(key);
        if (field != null) {
            return new HostSort(spec, field[0], field[1], null, descending);
        }
        if (key.startsWith("fact:") && KEY.matcher(key.substring(5)).matches()) {
            // JSON null counts as absent, as it does for selectors.
            return new HostSort(spec, "NULLIF(COALESCE(labels -> $K::text, facts -> $K::text, vitals -> $K::text), 'null'::jsonb)", "jsonb",
                    key.substring(5), descending);
        }
        throw new IllegalArgumentException("sort key '" + key + "' is not one of " + KEYS
                + ", with '-' in front for descending");
    }

    /** Whether the listing can use the primary key's order and its plain cursor. */
    boolean natural() {
        return !descending && "id".equals(expression);
    }
}
