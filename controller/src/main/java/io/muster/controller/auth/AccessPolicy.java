package io.muster.controller.auth;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The role each REST call needs. Reads (GET, HEAD, OPTIONS, and GraphQL queries) need
 * {@link Role#VIEWER}; tasks, host labels and lifecycle need
 * {@link Role#OPERATOR}; tokens, enrollment tokens, agent builds, images, revocation and the audit
 * log need {@link Role#ADMIN}. A mutating call this table does not know needs ADMIN: a new
 * endpoint is closed until someone opens it here. Immutable and thread-safe.
 */
public final class AccessPolicy {

    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
    private static final Set<HttpMethod> MUTATIONS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private static final List<Pattern> ADMIN_ANY = List.of(
            Pattern.compile("/api/v1/tokens(/.*)?"),
            Pattern.compile("/api/v1/enrollment-tokens(/.*)?"),
            Pattern.compile("/api/v1/audit(/.*)?"));
    private static final List<Pattern> OPERATOR_MUTATIONS = List.of(
            Pattern.compile("/api/v1/tasks(/[^/]+(/cancel)?)?"),
            Pattern.compile("/api/v1/hosts/[^/]+/labels"),
            Pattern.compile("/api/v1/hosts/[^/]+/lifecycle(/.*)?"));

    /** The least role that may make this call. */
    public Role required(HttpMethod method, String path) {
        for (Pattern pattern : ADMIN_ANY) {
            if (pattern.matcher(path).matches()) {
                return Role.ADMIN;
            }
        }
        if (READS.contains(method)) {
            return Role.VIEWER;
        }
        if (path.equals("/graphql") && method == HttpMethod.POST) {
            return Role.VIEWER;
        }
        for (Pattern pattern : OPERATOR_MUTATIONS) {
            if (pattern.matcher(path).matches()) {
                return Role.OPERATOR;
            }
        }
        return Role.ADMIN;
    }

    /** Whether the call changes something and is therefore audited. */
    public static boolean mutating(HttpMethod method) {
        return MUTATIONS.contains(method);
    }

    /** Endpoints a token scoped to part of the fleet may not use at all (they reach beyond it). */
    public static boolean unscopedOnly(String path) {
        return path.startsWith("/api/v1/tokens") || path.startsWith("/api/v1/enrollment-tokens")
                || path.startsWith("/api/v1/audit");
    }
}
