package io.muster.controller.access;

import java.util.Objects;

/**
 * What an operation requires: the least role, and how it narrows to the scope of a scoped
 * principal. Every REST route, GraphQL field and FleetControl method is registered with one
 * (the registries refuse a registration without it), and {@link Access#check} applies it.
 *
 * @param operation a stable name for messages and the audit log, e.g. "hosts.get"
 */
public record Rule(String operation, Role role, Scoping scoping) {

    public Rule {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(scoping, "scoping");
    }

    public static Rule viewer(String operation, Scoping scoping) {
        return new Rule(operation, Role.VIEWER, scoping);
    }

    public static Rule operator(String operation, Scoping scoping) {
        return new Rule(operation, Role.OPERATOR, scoping);
    }

    public static Rule admin(String operation, Scoping scoping) {
        return new Rule(operation, Role.ADMIN, scoping);
    }

    /** Whether the subject of a check comes from the request's own id (a host or task named by it). */
    public boolean namesOne() {
        return scoping == Scoping.HOST || scoping == Scoping.TASK;
    }
}
