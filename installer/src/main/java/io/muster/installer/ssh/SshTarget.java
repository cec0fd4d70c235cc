package io.muster.installer.ssh;

import java.util.Objects;

/**
 * One host to reach over SSH: {@code [user@]host[:port]}, as written in a hosts file or on the
 * command line ({@code [v6-address]:port} for IPv6 with a port). Immutable.
 *
 * @param host address or name
 * @param port SSH port (22 unless given)
 * @param user login user (the installer's {@code --user} unless given)
 */
public record SshTarget(String host, int port, String user) {

    public static final int DEFAULT_PORT = 22;

    public SshTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        if (host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a host: '" + host + "' port " + port);
        }
    }

    /** @throws IllegalArgumentException with one sentence naming what is wrong */
    public static SshTarget parse(String text, String defaultUser) {
        String rest = text.strip();
        String user = defaultUser;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
        }
        int port = DEFAULT_PORT;
        String host = rest;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "': an IPv6 address in brackets needs its ']'");
            }
            host = rest.substring(1, close);
            if (rest.length() > close + 1) {
                port = port(text, rest.substring(close + 1));
            }
        } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
            host = rest.substring(0, rest.indexOf(':'));
            port = port(text, rest.substring(rest.indexOf(':')));
        }
        if (host.isBlank() || user.isBlank()) {
            throw new IllegalArgumentException("'" + text + "' is not [user@]host[:port]");
        }
        return new SshTarget(host, port, user);
    }

    private static int port(String text, String colonPort) {
        if (!colonPort.startsWith(":")) {
            throw new IllegalArgumentException("'" + text + "' is not [user@]host[:port]");
        }
        try {
            int port = Integer.parseInt(colonPort.substring(1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the port must be 1-65535");
        }
    }

    /** How the host is shown in tables and JSON: {@code host} or {@code host:port}. */
    public String label() {
        String shown = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == DEFAULT_PORT ? shown : shown + ":" + port;
    }
}
