package io.muster.installer.ssh;

/** A host could not be reached or logged into; the message is the reason shown for the host. */
public final class SshFailure extends Exception {

    private static final long serialVersionUID = 1L;

    public SshFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
