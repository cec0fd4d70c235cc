package io.muster.controller.access;

/**
 * How an operation narrows to the scope of a scoped principal. Every operation declares one (in
 * its {@link Rule}); there is no "anything else" case, so an operation cannot be reached by a
 * scoped token unless its author said how it stays inside the scope.
 */
public enum Scoping {
    /** Reaches beyond any scope (tokens, audit, revocation, artifacts used fleet-wide): a scoped principal is refused. */
    UNSCOPED_ONLY,
    /** Shows nothing about hosts, runs or tasks (the cluster's members): any scope may call it. */
    NO_FLEET_DATA,
    /** Reads or acts on one host named by the request: a host outside the scope reads as absent. */
    HOST,
    /** Reads or acts on one task named by the request: a task the principal may not see reads as absent. */
    TASK,
    /** Creates work on a target: refused, with the count, when any host of the target lies outside the scope. */
    TASK_TARGET,
    /** Lists hosts: the operation ANDs its selector with the scope ({@link Access#hostSelector}). */
    HOST_QUERY,
    /** Lists tasks or runs: the operation keeps only what the principal may see ({@link Access#visibleTasks}). */
    TASK_QUERY,
    /**
     * A field of an object the principal was already allowed to read (a host's labels, a
     * visible task's runs): it shows nothing its parent's rule did not allow.
     */
    WITHIN_PARENT,
    /**
     * An endpoint that only dispatches to operations that each declare their own rule (the GraphQL
     * endpoint: every field is checked by its own rule).
     */
    PER_OPERATION
}
