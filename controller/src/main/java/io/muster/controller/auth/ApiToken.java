package io.muster.controller.auth;

import io.muster.controller.access.Principal;
import io.muster.controller.access.Role;
import java.time.Instant;

/** An API token as listed (never with its secret). */
public record ApiToken(String id, String name, Role role, String scope, Instant expiresAt, Instant revokedAt,
                       Instant createdAt, String createdBy) {
}
