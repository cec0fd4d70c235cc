package io.muster.agent.task.config;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * A resource that manages one path of the local filesystem: named by that path, and checked
 * without running any command, which is what lets drift detection re-check it on its own.
 */
sealed interface PathResource extends Resource
        permits FileResource, DirectoryResource, SymlinkResource, AbsentResource {

    Path path();

    @Override
    default String subjectField() {
        return "path";
    }

    @Override
    default String subject() {
        return path().toString();
    }

    @Override
    default Change check(CommandRunner commands) throws ConfigException {
        return check();
    }

    /** What {@link #apply} would change; only reads the filesystem. */
    Change check() throws ConfigException;

    /** The path's own attributes (a link is not followed), or null when nothing is there. */
    default PosixFileAttributes attributesOrNull() throws ConfigException {
        try {
            return PosixAttributes.read(path());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ConfigException("cannot read " + path() + ": " + PosixAttributes.describe(e), e);
        }
    }
}
