package io.muster.installer.push;

import io.muster.installer.packaging.AgentLayout;
import io.muster.installer.packaging.PackageFormat;
import java.util.HashMap;
import java.util.Map;

/**
 * What one look at a host tells the installer (one SSH command, {@link #SCRIPT}): its package
 * format, Java, systemd, free space, and the agent's state (package id, host id, enrolled, unit
 * active). Immutable.
 */
record HostFacts(boolean root, PackageFormat format, boolean systemd, int javaMajor, String packageId, String hostId,
                 boolean enrolled, String unitState, long freeKiB) {

    /** Prints key=value lines; read as root (the data directory is 0700). */
    static final String SCRIPT = String.join("\n",
            "echo \"uid=$(id -u)\"",
            "if command -v dpkg >/dev/null 2>&1; then echo format=deb; elif command -v rpm >/dev/null 2>&1; then echo format=rpm;"
                    + " else echo format=tar; fi",
            "if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then echo systemd=yes; else echo systemd=no; fi",
            "j=$(java -version 2>&1 | sed -n 's/.* version \"\\([0-9][0-9]*\\).*/\\1/p' | head -n 1); echo \"java=${j:-0}\"",
            "echo \"package=$(cat " + AgentLayout.PACKAGE_ID + " 2>/dev/null)\"",
            "echo \"host=$(cat " + AgentLayout.HOST_ID + " 2>/dev/null)\"",
            "if [ -f " + AgentLayout.CERTIFICATE + " ]; then echo enrolled=yes; else echo enrolled=no; fi",
            "echo \"unit=$(systemctl is-active " + AgentLayout.UNIT_NAME + " 2>/dev/null)\"",
            "d=/opt; [ -d /opt ] || d=/; echo \"free=$(df -Pk \"$d\" /var/tmp | awk 'NR>1 {print $4}' | sort -n | head -n 1)\"",
            "");

    static HostFacts parse(String output) {
        Map<String, String> values = new HashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return new HostFacts("0".equals(values.get("uid")),
                PackageFormat.valueOf(values.getOrDefault("format", "tar").toUpperCase(java.util.Locale.ROOT)),
                "yes".equals(values.get("systemd")), (int) number(values.get("java")), blankToNull(values.get("package")),
                blankToNull(values.get("host")), "yes".equals(values.get("enrolled")), values.getOrDefault("unit", ""),
                number(values.get("free")));
    }

    boolean installed() {
        return packageId != null;
    }

    boolean running() {
        return "active".equals(unitState) || "activating".equals(unitState);
    }

    private static long number(String text) {
        try {
            return text == null || text.isBlank() ? 0 : Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
