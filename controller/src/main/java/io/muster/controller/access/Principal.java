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
 */
public record Principal(String tokenId, String name, Role role, Selector scope, Instant expiresAt) {

    public boolean scoped() {
        return !scope.isEmpty();
    }
}
