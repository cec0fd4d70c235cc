package io.muster.agent.enrollment;

import java.util.Optional;

/**
 * Proves, for a request that presents a download grant, that this agent is the host the grant is
 * for: the {@link io.muster.proto.grant.HostProof} header value, signed with the host's key.
 * Implementations are thread-safe and may block on file I/O (called from task threads).
 */
@FunctionalInterface
public interface HostProver {

    /** No proof: an agent without a certificate (--insecure), whose controller asks for none. */
    HostProver NONE = (path, authorization) -> Optional.empty();

    /**
     * @param path          the request's raw path
     * @param authorization the Authorization header it sends (the grant)
     * @return the header value, empty when this agent has no certificate
     */
    Optional<String> proof(String path, String authorization);
}
