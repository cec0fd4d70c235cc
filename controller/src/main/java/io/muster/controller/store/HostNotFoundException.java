package io.muster.controller.store;

/** The host id names no stored host. */
public final class HostNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String hostId;

    public HostNotFoundException(String hostId) {
        super("no host with id '" + hostId + "'");
        this.hostId = hostId;
    }

    public String hostId() {
        return hostId;
    }
}
