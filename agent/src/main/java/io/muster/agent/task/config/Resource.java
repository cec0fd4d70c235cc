package io.muster.agent.task.config;

/**
 * One declarative resource of a config spec: the state a part of the host should be in.
 *
 * <p>{@link #check} only looks (it may run read-only commands such as {@code dpkg-query} or a
 * command's {@code unless} guard) and says what {@link #apply} would change. {@link #preview} is
 * what a dry run calls: it runs nothing a spec author wrote (an {@code unless} guard is an arbitrary
 * shell line, so a dry run must not execute it). {@link #apply} brings the host to the state and is
 * idempotent: applying an unchanged resource changes nothing.
 * Both run on the run's worker thread and may block; instances are immutable.
 */
sealed interface Resource
        permits PathResource, PackageResource, ServiceResource,
        CommandResource {

    /** The spec's {@code type}: file, directory, symlink, absent, package, service or command. */
    String type();

    /** Which field names this resource in results: {@code path} or {@code name}. */
    String subjectField();

    /** The path or name of what is managed. */
    String subject();

    Change check(CommandRunner commands) throws ConfigException;

    /** What a dry run reports: {@link #check} for every resource whose check runs only host tools. */
    default Change preview(CommandRunner commands) throws ConfigException {
        return check(commands);
    }

    void apply(CommandRunner commands) throws ConfigException;
}
