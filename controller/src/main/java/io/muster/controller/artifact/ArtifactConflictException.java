package io.muster.controller.artifact;

/** An agent build of that version exists with other content (HTTP 409). */
public final class ArtifactConflictException extends RuntimeException {

    public ArtifactConflictException(String message) {
        super(message, null, false, false);
    }
}
