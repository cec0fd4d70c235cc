package io.muster.agent.task.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;

/** A directory (created with its missing parents) with the given mode, owner and group. */
record DirectoryResource(Path path, PosixAttributes attributes) implements PathResource {

    @Override
    public String type() {
        return "directory";
    }

    @Override
    public Change check() throws ConfigException {
        PosixFileAttributes actual = attributesOrNull();
        if (actual == null) {
            return Change.changed("missing: create directory", "");
        }
        if (!actual.isDirectory()) {
            throw new ConfigException(path + " exists and is not a directory");
        }
        List<String> differences = attributes.differences(actual);
        return differences.isEmpty()
                ? Change.unchanged("up to date")
                : Change.changed(String.join("; ", differences), "");
    }

    @Override
    public void apply(CommandRunner commands) throws ConfigException {
        if (!Files.isDirectory(path)) {
            try {
                Files.createDirectories(path);
            } catch (IOException e) {
                throw new ConfigException("cannot create directory " + path + ": " + PosixAttributes.describe(e), e);
            }
        }
        attributes.applyTo(path);
    }
}
