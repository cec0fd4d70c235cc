package io.muster.controller.auth;

import io.muster.proto.grant.HostProof;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Accepts a download grant only from the host it is for. A grant travels over plain HTTP, so the
 * token alone proves nothing about who presents it: the presenter must add a {@link HostProof}
 * signed with a host key certified by this cluster's CA, recent, and covering the request's path
 * and the grant. The host must then be the grant's own: an agent build's grant names one host; an
 * image grant names its task, and only a host with an open (pending or running) run of that task
 * is its host. Another host's agent, or a grant replayed from anywhere else, is refused.
 *
 * <p>With {@code --insecure} agents have no certificates, so no proof is asked for (and hosts are
 * not authenticated at all). Thread-safe; non-blocking.
 */
public final class GrantProofs {

    private static final String OPEN_RUN = "SELECT 1 FROM runs WHERE task_id = $1 AND host_id = $2 "
            + "AND state IN ('pending', 'running')";

    /** A presenter refused: 401 without a valid proof, 403 when the proven host is not the grant's. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private final CertificateAuthority ca;
    private final Revocations revocations;
    private final Pool pool;
    private final Clock clock;
    private final boolean insecure;

    GrantProofs(CertificateAuthority ca, Revocations revocations, Pool pool, Clock clock, boolean insecure) {
        this.ca = ca;
        this.revocations = revocations;
        this.pool = pool;
        this.clock = clock;
        this.insecure = insecure;
    }

    /**
     * @param path          the request's path as sent
     * @param authorization the Authorization header as sent (the proof signs it)
     * @param header        the {@link HostProof#HEADER} header, or null
     * @return fails with {@link Refused} when the presenter is not the grant's host
     */
    Future<Void> check(ApiTokens.GrantBinding binding, String path, String authorization, String header) {
        if (insecure) {
            return Future.succeededFuture();
        }
        String hostId;
        try {
            hostId = provenHost(path, authorization, header);
        } catch (Refused refused) {
            return Future.failedFuture(refused);
        }
        if (binding.hostId() != null) {
            return binding.hostId().equals(hostId) ? Future.succeededFuture()
                    : Future.failedFuture(new Refused(403, "this download grant is for host " + binding.hostId()
                            + ", not for " + hostId));
        }
        if (binding.taskId() != null) {
            UUID task = binding.taskId();
            return pool.preparedQuery(OPEN_RUN).execute(Tuple.of(task, hostId)).compose(rows -> rows.size() > 0
                    ? Future.succeededFuture()
                    : Future.failedFuture(new Refused(403, "this download grant is for the hosts of task " + task
                            + ", and host " + hostId + " has no open run of it")));
        }
        return Future.failedFuture(new Refused(403, "this download grant names no host; ask for a new task"));
    }

    /** The host id the proof was signed by, or {@link Refused} (401) saying why there is none. */
    private String provenHost(String path, String authorization, String header) {
        if (header == null || header.isBlank()) {
            throw new Refused(401, "a download grant is accepted only with the " + HostProof.HEADER
                    + " header of the host it is for");
        }
        HostProof.Presented proof;
        try {
            proof = HostProof.parse(header);
        } catch (IllegalArgumentException e) {
            throw new Refused(401, e.getMessage());
        }
        Instant now = clock.instant();
        if (Duration.between(proof.signedAt(), now).abs().compareTo(HostProof.MAX_AGE) > 0) {
            throw new Refused(401, "the host proof was signed at " + proof.signedAt() + ", more than "
                    + HostProof.MAX_AGE.toMinutes() + " minutes from this member's time " + now);
        }
        try {
            proof.certificate().verify(ca.certificate().getPublicKey());
            proof.certificate().checkValidity(Date.from(now));
        } catch (GeneralSecurityException e) {
            throw new Refused(401, "the host proof's certificate is not a valid certificate of this cluster's CA");
        }
        String hostId = HostCertificates.hostId(proof.certificate())
                .orElseThrow(() -> new Refused(401, "the host proof's certificate names no host"));
        if (revocations.isRevoked(hostId)) {
            throw new Refused(401, "host " + hostId + " is revoked");
        }
        if (!HostProof.signs(proof, path, authorization)) {
            throw new Refused(401, "the host proof's signature does not cover this request");
        }
        return hostId;
    }
}
