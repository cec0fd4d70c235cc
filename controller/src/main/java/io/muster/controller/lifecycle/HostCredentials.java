package io.muster.controller.lifecycle;

import io.vertx.core.Future;

/**
 * Revokes a host's credentials so that its agent can no longer connect (the security side:
 * {@code io.muster.controller.auth.Revocations#revoke}).
 *
 * <p>Thread-safe; must not block. The future completes once the revocation is durable.
 */
@FunctionalInterface
public interface HostCredentials {

    /** @return true when the host is revoked (now or before), false when it is unknown */
    Future<Boolean> revoke(String hostId, String actor);
}
