package io.muster.installer.push;

/** A host failed at a step; the message is the reason shown in the host's result. */
final class HostStep extends Exception {

    private static final long serialVersionUID = 1L;

    HostStep(String message) {
        super(message);
    }
}
