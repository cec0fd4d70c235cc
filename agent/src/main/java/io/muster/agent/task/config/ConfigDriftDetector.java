package io.muster.agent.task.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-checks the paths that the last successful config runs applied (see {@code <dataDir>/config/applied.json})
 * and reports those edited, deleted or re-moded by hand since. A pure check: it never corrects.
 *
 * <p>Thread-safe and stateless between calls; {@link #detect} reads the file system and may block
 * briefly, so call it from a scheduler or worker thread, never from a gRPC event loop. Each drift
 * is reported on every call while it lasts; de-duplicating events is the caller's choice.
 */
public final class ConfigDriftDetector {

    private final Path dataDir;

    public ConfigDriftDetector(Path dataDir) {
        this.dataDir = dataDir;
    }

    /**
     * The current drifts, in the order the paths were first applied; empty when nothing drifted
     * or no config was applied yet.
     *
     * @throws IOException when the applied-config record cannot be read
     */
    public List<Drift> detect() throws IOException {
        List<Drift> drifts = new ArrayList<>();
        for (Resource resource : AppliedConfig.load(dataDir)) {
            Change change;
            try {
                change = check(resource);
            } catch (ConfigException e) {
                drifts.add(new Drift(resource.type(), resource.subject(), e.getMessage(), ""));
                continue;
            }
            if (change.changed()) {
                String description = change.description().startsWith("missing") ? "deleted" : change.description();
                drifts.add(new Drift(resource.type(), resource.subject(), description, diff(resource, change)));
            }
        }
        return drifts;
    }

    private static Change check(Resource resource) throws ConfigException {
        // Recorded resources are files, directories and symlinks: all checked without commands.
        return ((PathResource) resource).check();
    }

    /** From what was applied to what the host has now (the reverse of what re-applying would do). */
    private static String diff(Resource resource, Change change) {
        if (!(resource instanceof FileResource) || ((FileResource) resource).content() == null || change.diff().isEmpty()) {
            return "";
        }
        FileResource file = (FileResource) resource;
        String now;
        try {
            now = Files.exists(file.path(), LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(file.path())
                    ? FileResource.textOrNote(Files.readAllBytes(file.path()))
                    : null;
        } catch (IOException e) {
            return "";
        }
        return UnifiedDiff.of(file.path().toString(), file.content(), now);
    }
}
