package io.muster.controller.access;

import io.muster.scheduler.selector.Selector;
import java.time.Instant;

/**
 * The caller behind a valid API token.
 *
 * @param tokenId   the token's id (the actor in the audit log)
 * @param name      the token's name
 * @param scope     the hosts the token may see and act on; {@link Selector#all()} when unscoped
 * @param expiresAt null when the token never expires
 * @param grant     for a download grant, the one path it may GET (every other operation refuses
 *                  it, see {@link Access#check}); null for an ordinary token
 */
public record Principal(String tokenId, String name, Role role, Selector scope, Instant expiresAt, String grant) {

    /** An ordinary token's caller (not a download grant). */
    public Principal(String tokenId, String name, Role role, Selector scope, Instant expiresAt) {
        this(tokenId, name, role, scope, expiresAt, null);
    }

    public boolean scoped() {
        return !scope.isEmpty();
    }
}
