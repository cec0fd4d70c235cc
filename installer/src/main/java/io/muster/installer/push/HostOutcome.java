package io.muster.installer.push;

import java.util.Locale;

/** What {@code muster install} or {@code muster uninstall} did to one host. */
public enum HostOutcome {
    /** The agent was not there; it is installed and the host is online. */
    INSTALLED,
    /** Another agent package was there; it is replaced (host id and certificate kept) and online. */
    UPDATED,
    /** The same package was installed, running and online: nothing was changed. */
    UNCHANGED,
    /** The agent was removed (and, if asked, the host decommissioned). */
    REMOVED,
    /** Uninstall found no agent on the host: nothing was changed. */
    ABSENT,
    /** The host failed; the result's detail says why. */
    FAILED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean failed() {
        return this == FAILED;
    }
}
