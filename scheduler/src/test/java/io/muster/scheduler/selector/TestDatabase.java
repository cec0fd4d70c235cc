package io.muster.scheduler.selector;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL the SQL back end is checked against: {@code MUSTER_TEST_DB_URL}
 * ({@code postgresql://[user[:password]@]host:port/db}) or the local server. Missing database:
 * skipped on a developer machine, a failure under CI.
 */
final class TestDatabase {

    static final String LOCAL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private TestDatabase() {
    }

    static String jdbcUrl() {
        String url = System.getenv("MUSTER_TEST_DB_URL");
        if (url == null || url.isBlank()) {
            return LOCAL;
        }
        if (url.startsWith("jdbc:")) {
            return url;
        }
        URI uri = URI.create(url);
        List<String> query = new ArrayList<>();
        if (uri.getRawQuery() != null) {
            query.add(uri.getRawQuery());
        }
        if (uri.getUserInfo() != null) {
            String[] user = uri.getUserInfo().split(":", 2);
            query.add("user=" + user[0]);
            if (user.length == 2) {
                query.add("password=" + user[1]);
            }
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + port + uri.getRawPath();
        return query.isEmpty() ? jdbc : jdbc + "?" + String.join("&", query);
    }

    static Connection connect() throws SQLException {
        try {
            return DriverManager.getConnection(jdbcUrl());
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw e;
            }
            Assumptions.abort("no PostgreSQL at " + jdbcUrl() + ": " + e.getMessage());
            throw e;
        }
    }
}
