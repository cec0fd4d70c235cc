package io.muster.controller.store;

import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SqlFragment;
import io.muster.scheduler.selector.SqlSelector;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many hosts a selector matches, and how they split by state, lifecycle, OS, kernel and agent
 * version: one grouped scan (GROUPING SETS), so a count over 100,000 hosts is one statement and
 * never a page walk. Also the hosts that went silent or joined most recently. Thread-safe.
 */
public final class HostCensus {

    /** Groups past this many (the rarest) are summed into {@link #OTHER}. */
    static final int MAX_GROUPS = 12;
    static final String OTHER = "(other)";
    private static final int RECENT = 8;

    /** The dimensions hosts are counted by, with the SQL expression of each. */
    public enum Dimension {
        STATE("state", "state"),
        LIFECYCLE("lifecycle", "lifecycle"),
        OS("os", "COALESCE(facts->>'os.family', '') || ' ' || COALESCE(facts->>'os.version', '')"),
        KERNEL("kernel", "facts->>'kernel.release'"),
        AGENT_VERSION("agentVersion", "agent_version");

        private final String wireName;
        private final String sql;

        Dimension(String wireName, String sql) {
            this.wireName = wireName;
            this.sql = sql;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** A host named in the recent lists. */
    public record RecentHost(String id, String hostname, String state, Instant at) {
    }

    /**
     * @param total          hosts matched
     * @param groups         per dimension, value (null as "") to count, largest first
     * @param recentlySilent offline hosts, latest last-seen first
     * @param recentlyJoined hosts by first connection, newest first
     */
    public record Census(long total, Map<Dimension, Map<String, Long>> groups,
                         List<RecentHost> recentlySilent, List<RecentHost> recentlyJoined) {
    }

    private final Pool pool;

    public HostCensus(Database database) {
        this.pool = database.pool();
    }

    /** Counts the hosts {@code selector} matches (null: all). */
    public Future<Census> count(Selector selector) {
        SqlFragment where = SqlSelector.where(selector == null ? Selector.all() : selector, "labels", List.of("facts", "vitals"), 1);
        StringBuilder columns = new StringBuilder();
        StringBuilder sets = new StringBuilder("()");
        for (Dimension dimension : Dimension.values()) {
            columns.append(dimension.sql).append(" AS d").append(dimension.ordinal()).append(", ");
            columns.append("GROUPING(").append(dimension.sql).append(") AS g").append(dimension.ordinal()).append(", ");
            sets.append(", (").append(dimension.sql).append(')');
        }
        String grouped = "SELECT " + columns + "count(*) AS n FROM hosts WHERE " + where.sql()
                + " GROUP BY GROUPING SETS (" + sets + ")";
        String recent = "(SELECT 's' AS list, id, hostname, state, last_seen AS at FROM hosts WHERE state = 'offline' AND "
                + where.sql() + " ORDER BY last_seen DESC NULLS LAST LIMIT " + RECENT + ")"
                + " UNION ALL (SELECT 'j', id, hostname, state, first_seen FROM hosts WHERE " + where.sql()
                + " ORDER BY first_seen DESC LIMIT " + RECENT + ")";
        Tuple params = Tuple.wrap(new ArrayList<>(where.params()));
        Future<Census> counted = pool.preparedQuery(grouped).execute(params).map(rows -> {
            long total = 0;
            Map<Dimension, Map<String, Long>> groups = new LinkedHashMap<>();
            for (Dimension dimension : Dimension.values()) {
                groups.put(dimension, new LinkedHashMap<>());
            }
            for (Row row : rows) {
                long n = row.getLong("n");
                Dimension grouped1 = null;
                for (Dimension dimension : Dimension.values()) {
                    if (row.getInteger("g" + dimension.ordinal()) == 0) {
                        grouped1 = dimension;
                    }
                }
                if (grouped1 == null) {
                    total = n;
                } else {
                    String value = row.getString("d" + grouped1.ordinal());
                    groups.get(grouped1).merge(value == null ? "" : value.strip(), n, Long::sum);
                }
            }
            groups.replaceAll((dimension, counts) -> largestFirst(counts));
            return new Census(total, groups, List.of(), List.of());
        });
        return counted.compose(census -> pool.preparedQuery(recent).execute(params).map(rows -> {
            List<RecentHost> silent = new ArrayList<>();
            List<RecentHost> joined = new ArrayList<>();
            for (Row row : rows) {
                OffsetDateTime at = row.getOffsetDateTime("at");
                RecentHost host = new RecentHost(row.getString("id"), row.getString("hostname"), row.getString("state"),
                        at == null ? null : at.toInstant());
                ("s".equals(row.getString("list")) ? silent : joined).add(host);
            }
            return new Census(census.total(), census.groups(), silent, joined);
        }));
    }

    static Map<String, Long> largestFirst(Map<String, Long> counts) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        Map<String, Long> result = new LinkedHashMap<>();
        long other = 0;
        for (Map.Entry<String, Long> entry : entries) {
            if (result.size() < MAX_GROUPS) {
                result.put(entry.getKey(), entry.getValue());
            } else {
                other += entry.getValue();
            }
        }
        if (other > 0) {
            result.merge(OTHER, other, Long::sum);
        }
        return result;
    }
}
