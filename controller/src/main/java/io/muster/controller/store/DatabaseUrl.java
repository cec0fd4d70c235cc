package io.muster.controller.store;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A PostgreSQL location parsed from any of the URL forms operators use:
 * {@code postgresql://user:pass@host:port/db?k=v}, {@code postgres://...} and
 * {@code jdbc:postgresql://host:port/db?user=..&password=..}. The user defaults to "postgres",
 * the port to 5432 and the database to the user name, as libpq does.
 */
public record DatabaseUrl(String host, int port, String database, String user, String password) {

    private static final int DEFAULT_PORT = 5432;

    public static DatabaseUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("the database URL is empty; expected postgresql://user@host:port/database");
        }
        String text = url.strip();
        if (text.startsWith("jdbc:")) {
            text = text.substring("jdbc:".length());
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw invalid(url, e.getReason());
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw invalid(url, "the scheme must be postgresql://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(url, "it names no host");
        }
        Map<String, String> query = query(uri.getRawQuery());
        String user = query.get("user");
        String password = query.get("password");
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : password;
        }
        if (user == null || user.isEmpty()) {
            user = "postgres";
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.isEmpty()) {
            database = user;
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        return new DatabaseUrl(uri.getHost(), port, database, user, password);
    }

    /** The libpq-style form, without the password (safe to log). */
    public String display() {
        return "postgresql://" + user + "@" + hostPort() + "/" + database;
    }

    /** postgresql://user[:password]@host:port/database */
    public String url() {
        String auth = enc(user) + (password == null ? "" : ":" + enc(password));
        return "postgresql://" + auth + "@" + hostPort() + "/" + enc(database);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostPort() + "/" + enc(database);
    }

    /** The same server, another database on it (used to create and drop scratch databases). */
    public DatabaseUrl withDatabase(String otherDatabase) {
        return new DatabaseUrl(host, port, otherDatabase, user, password);
    }

    public PgConnectOptions connectOptions() {
        PgConnectOptions options = new PgConnectOptions()
                .setHost(host)
                .setPort(port)
                .setDatabase(database)
                .setUser(user);
        if (password != null) {
            options.setPassword(password);
        }
        return options;
    }

    private String hostPort() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    @Override
    public String toString() {
        return display();
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
        }
        return params;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static IllegalArgumentException invalid(String url, String why) {
        return new IllegalArgumentException("the database URL '" + url + "' is not valid (" + why
                + "); expected postgresql://user@host:port/database");
    }
}
