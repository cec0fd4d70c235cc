package io.muster.controller.access;

import java.util.Locale;
import java.util.Optional;

/** What a token may do; each role includes the ones before it. */
public enum Role {
    /** Reads everything in its scope. */
    VIEWER,
    /** Plus tasks, cancel, labels, lifecycle. */
    OPERATOR,
    /** Plus tokens, enrollment tokens, agent builds, revocation, images, the audit log. */
    ADMIN;

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWireName(String text) {
        for (Role role : values()) {
            if (role.wireName().equals(text)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
