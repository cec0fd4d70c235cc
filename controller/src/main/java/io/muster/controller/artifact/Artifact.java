package io.muster.controller.artifact;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A stored artifact.
 *
 * @param key    "sha256:HEX" for images, the version for agent builds
 * @param sha256 hex SHA-256 of the content
 */
public record Artifact(ArtifactKind kind, String key, String sha256, long sizeBytes, int chunks, UUID blobId,
                       String uploadedBy, OffsetDateTime uploadedAt) {

    /** The digest in the form agents verify: "sha256:HEX". */
    public String digest() {
        return "sha256:" + sha256;
    }
}
