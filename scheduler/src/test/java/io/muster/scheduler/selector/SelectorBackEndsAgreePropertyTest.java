package io.muster.scheduler.selector;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.scheduler.selector.Requirement.Comparison;
import io.muster.testdb.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Property: on generated hosts and generated selectors, the SQL back end (run by a real
 * PostgreSQL over jsonb) and the in-memory matcher pick exactly the same hosts. Replay a failure
 * with {@code -Dmuster.seed=<seed printed by the failing run>}.
 */
class SelectorBackEndsAgreePropertyTest {

    private static final int HOSTS = 300;
    private static final int SELECTORS = 500;

    private static final List<String> VALUES = List.of(
            "web", "db", "cache", "ldn1", "nyc2", "a,b", "with space", "100%", "x_y", "", "32", "4.0",
            "ünï", "q\"uote", "back\\slash", "web-01", "WEB", "true", "0.75", "-7", "1e3", "line\nbreak");
    private static final List<String> HOSTNAMES = List.of(
            "web-01", "web-02", "web-1", "db-1", "we%b_1", "web_01", "Web-03", "cache.ldn1", "web-01.ldn1", "w", "");
    private static final List<String> LABEL_KEYS = List.of("role", "dc", "env", "rack", "team/owner", "cores", "hostname");
    private static final List<String> FACT_KEYS = List.of(
            "hostname", "cpu.cores", "cpu.logical", "mem.ratio", "gpu", "os.version", "role", "maintenance");
    private static final List<String> NUMBERS = List.of(
            "0", "1", "4", "32", "32.5", "-1", "-7", "0.75", "1e19", "1E-5", "128", "1e3", "0.000010", "-3.25");
    private static final List<String> GLOBS = List.of(
            "web-*", "*", "w?b-*", "*%*", "*_*", "we%b_?", "*.ldn1", "??", "web-0?", "*\\*", "?", "", "*e*b*", "a,b");

    private static TestDatabase database;
    private static Connection connection;
    private static final Map<String, Host> hosts = new LinkedHashMap<>();
    private static long seed;

    private record Host(String id, Map<String, String> labels, Map<String, Object> facts) {
    }

    @BeforeAll
    static void createHosts() throws SQLException {
        seed = Long.getLong("muster.seed", System.nanoTime());
        System.out.println("SelectorBackEndsAgreePropertyTest seed=" + seed + " (replay with -Dmuster.seed=" + seed + ")");
        Random random = new Random(seed);
        database = TestDatabase.create();
        connection = database.connect();
        try (Statement statement = connection.createStatement()) {
            // A temporary table lives in this session's own schema: parallel runs cannot collide.
            statement.execute("CREATE TEMP TABLE hosts (id text PRIMARY KEY, labels jsonb NOT NULL, facts jsonb NOT NULL)");
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO hosts (id, labels, facts) VALUES (?, ?::jsonb, ?::jsonb)")) {
            for (int i = 0; i < HOSTS; i++) {
                Host host = host(random, String.format("h%03d", i));
                hosts.put(host.id(), host);
                insert.setString(1, host.id());
                insert.setString(2, Json.write(host.labels()));
                insert.setString(3, Json.write(host.facts()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    @AfterAll
    static void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void sqlAndInMemoryBackEnds_pickTheSameHosts() throws SQLException {
        Random random = new Random(seed ^ 0x5E1EC7L);
        int selective = 0;
        for (int i = 0; i < SELECTORS; i++) {
            Selector generated = selector(random);
            Selector selector = Selector.parse(generated.toString());
            assertThat(selector).as("canonical form round trip of %s (seed %d)", generated, seed).isEqualTo(generated);

            TreeSet<String> inMemory = new TreeSet<>();
            for (Host host : hosts.values()) {
                if (selector.matches(host.labels(), host.facts())) {
                    inMemory.add(host.id());
                }
            }
            TreeSet<String> inSql = select(SqlSelector.where(selector, "labels", "facts", 1));

            assertThat(inSql).as("hosts picked by [%s], seed %d", selector, seed).isEqualTo(inMemory);
            if (!inMemory.isEmpty() && inMemory.size() < HOSTS) {
                selective++;
            }
        }
        assertThat(selective).as("generated selectors that pick some but not all hosts").isGreaterThan(SELECTORS / 5);
    }

    private static TreeSet<String> select(SqlFragment fragment) throws SQLException {
        // The fragment uses PostgreSQL's $n (as the Vert.x client does); JDBC wants one ? per use.
        Matcher placeholder = Pattern.compile("\\$(\\d+)").matcher(fragment.sql());
        StringBuilder sql = new StringBuilder("SELECT id FROM hosts WHERE ");
        List<Object> binds = new ArrayList<>();
        while (placeholder.find()) {
            binds.add(fragment.params().get(Integer.parseInt(placeholder.group(1)) - 1));
            placeholder.appendReplacement(sql, "?");
        }
        placeholder.appendTail(sql);
        try (PreparedStatement query = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < binds.size(); i++) {
                Object bind = binds.get(i);
                if (bind instanceof String[]) {
                    query.setArray(i + 1, connection.createArrayOf("text", (String[]) bind));
                } else {
                    query.setString(i + 1, (String) bind);
                }
            }
            TreeSet<String> ids = new TreeSet<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
            return ids;
        }
    }

    private static Host host(Random random, String id) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String key : LABEL_KEYS) {
            if (random.nextInt(3) == 0) {
                labels.put(key, key.equals("hostname") ? pick(random, HOSTNAMES) : pick(random, VALUES));
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        for (String key : FACT_KEYS) {
            if (random.nextInt(4) == 0) {
                continue;
            }
            facts.put(key, factValue(random, key));
        }
        return new Host(id, labels, facts);
    }

    private static Object factValue(Random random, String key) {
        switch (key) {
            case "hostname":
                return pick(random, HOSTNAMES);
            case "cpu.cores":
                return (long) (1 << random.nextInt(8));
            case "cpu.logical":
                return random.nextInt(200) - 20;
            case "mem.ratio":
                return pick(random, List.of(0.5, 0.75, 1.0, 4.0, 32.5, 1.0E20, 1.0E-5, -3.25, 0.1));
            case "gpu":
                return random.nextBoolean();
            case "os.version":
                return pick(random, List.of("12", "12.5", "12.5-beta", "1e3", "-7", "abc", "", " 5", "5 ", "1e5000"));
            default:
                return random.nextInt(3) == 0 ? (Object) (long) random.nextInt(64) : pick(random, VALUES);
        }
    }

    private static Selector selector(Random random) {
        int size = random.nextInt(4);
        List<Requirement> requirements = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            requirements.add(requirement(random));
        }
        return Selector.of(requirements);
    }

    private static Requirement requirement(Random random) {
        List<String> keys = new ArrayList<>(LABEL_KEYS);
        keys.addAll(FACT_KEYS);
        keys.add("nokey");
        String key = pick(random, keys);
        switch (random.nextInt(8)) {
            case 0:
                return new Requirement.Equals(key, value(random));
            case 1:
                return new Requirement.NotEquals(key, value(random));
            case 2:
                return new Requirement.In(key, values(random));
            case 3:
                return new Requirement.NotIn(key, values(random));
            case 4:
                return new Requirement.Exists(key);
            case 5:
                return new Requirement.Absent(key);
            case 6:
                return new Requirement.Compare(key, pick(random, List.of(Comparison.values())), pick(random, NUMBERS));
            default:
                return new Requirement.Glob(key, pick(random, GLOBS));
        }
    }

    private static String value(Random random) {
        switch (random.nextInt(4)) {
            case 0:
                return pick(random, HOSTNAMES);
            case 1:
                return pick(random, List.of("32", "64", "true", "false", "0.75", "100000000000000000000", "0.000010", "4.0", "12"));
            default:
                return pick(random, VALUES);
        }
    }

    private static List<String> values(Random random) {
        List<String> values = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            values.add(value(random));
        }
        return values;
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** Just enough JSON to store generated hosts; the production side never writes JSON here. */
    private static final class Json {
        static String write(Map<String, ?> object) {
            StringBuilder json = new StringBuilder("{");
            for (Map.Entry<String, ?> entry : object.entrySet()) {
                if (json.length() > 1) {
                    json.append(',');
                }
                string(json, entry.getKey());
                json.append(':');
                Object value = entry.getValue();
                if (value instanceof String) {
                    string(json, (String) value);
                } else {
                    json.append(value);
                }
            }
            return json.append('}').toString();
        }

        private static void string(StringBuilder json, String text) {
            json.append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"' || c == '\\') {
                    json.append('\\').append(c);
                } else if (c < 0x20) {
                    json.append(String.format("\\u%04x", (int) c));
                } else {
                    json.append(c);
                }
            }
            json.append('"');
        }
    }
}
