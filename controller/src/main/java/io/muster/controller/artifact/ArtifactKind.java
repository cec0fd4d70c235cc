package io.muster.controller.artifact;

/** What an artifact is: an image tarball (keyed by its digest) or an agent build (keyed by version). */
public enum ArtifactKind {
    IMAGE("image"),
    AGENT_BUILD("agent-build");

    private final String wireName;

    ArtifactKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
