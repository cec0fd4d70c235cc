package io.muster.installer.packaging;

import java.util.Locale;

/** The kinds of agent package {@code muster package} builds, and their file name suffixes. */
public enum PackageFormat {
    /** Debian and Ubuntu: {@code dpkg -i}; built with jdeb. */
    DEB(".deb"),
    /** RHEL, Fedora, SUSE: {@code rpm -U}; built with redline. */
    RPM(".rpm"),
    /** Anything else with systemd: unpacked under {@code /}, scripts run by the installer. */
    TAR(".tar.gz");

    private final String suffix;

    PackageFormat(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
