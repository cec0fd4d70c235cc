package io.muster.controller.artifact;

/** The upload is unusable: empty, too large, or not matching the digest the uploader announced (HTTP 400/413). */
public final class ArtifactRejectedException extends RuntimeException {

    private final int status;

    public ArtifactRejectedException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
