package io.muster.agent.task.container;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code ports} entry: {@code [hostIp:]hostPort:containerPort[/proto]} publishes a port,
 * {@code containerPort[/proto]} only exposes it.
 *
 * @param hostIp        address to bind on the host, "" for all
 * @param hostPort      host port, 0 when only exposed
 * @param containerPort port inside the container
 * @param protocol      tcp, udp or sctp
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {

    private static final Pattern FORM = Pattern.compile(
            "(?:(?:(?<ip>\\[[0-9a-fA-F:.]+\\]|[0-9.]+):)?(?<host>\\d{1,5}):)?(?<ctr>\\d{1,5})(?:/(?<proto>tcp|udp|sctp))?");

    static PortMapping parse(String text) throws SpecException {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new SpecException("spec.ports entry '" + text
                    + "' must be '[hostIp:]hostPort:containerPort[/tcp|udp|sctp]' or 'containerPort[/proto]'");
        }
        int container = port(text, m.group("ctr"));
        int host = m.group("host") == null ? 0 : port(text, m.group("host"));
        String ip = m.group("ip") == null ? "" : m.group("ip").replace("[", "").replace("]", "");
        return new PortMapping(ip, host, container, m.group("proto") == null ? "tcp" : m.group("proto"));
    }

    /** The engine's key for this port: {@code 80/tcp}. */
    public String key() {
        return containerPort + "/" + protocol;
    }

    public boolean published() {
        return hostPort != 0;
    }

    private static int port(String text, String digits) throws SpecException {
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new SpecException("spec.ports entry '" + text + "': port " + port + " is outside 1..65535");
        }
        return port;
    }
}
