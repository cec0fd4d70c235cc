package io.muster.controller.auth;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.muster.proto.v1.EnrollRequest;
import io.muster.proto.v1.EnrollResponse;
import io.muster.proto.v1.EnrollmentGrpc;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Enrollment gRPC service: spends one use of the enrollment token, verifies the CSR, issues a
 * client certificate for the host id, records it, stamps the token's labels on the host (creating
 * its row if needed) and writes an audit event. A host id that already holds a valid agent
 * certificate cannot be claimed by another enrollment (PERMISSION_DENIED, after the token is
 * checked and one use spent) unless an admin allowed one more ({@code POST /api/v1/hosts/{id}/re-enroll}): an enrollment token
 * cannot take over an enrolled host or re-stamp its labels. A bad token is UNAUTHENTICATED (unknown, used up
 * and expired are not told apart), a bad CSR or host id INVALID_ARGUMENT, a revoked host
 * PERMISSION_DENIED.
 *
 * <p>Non-blocking: the call completes from the database futures.
 */
public final class EnrollmentService extends EnrollmentGrpc.EnrollmentImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(EnrollmentService.class);
    static final String ACTION = "grpc muster.v1.Enrollment/Enroll";
    static final int MAX_CSR_BYTES = 16 * 1024;

    private final CertificateAuthority ca;
    private final CaStore store;
    private final EnrollmentTokens tokens;
    private final Revocations revocations;
    private final AuditLog audit;
    private final Pool pool;

    public EnrollmentService(CertificateAuthority ca, CaStore store, EnrollmentTokens tokens, Revocations revocations,
                             AuditLog audit, Pool pool) {
        this.ca = ca;
        this.store = store;
        this.tokens = tokens;
        this.revocations = revocations;
        this.audit = audit;
        this.pool = pool;
    }

    @Override
    public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
        String hostId = request.getHostId().trim();
        String target = "host:" + hostId;
        if (!CertificateAuthority.validHostId(hostId)) {
            refuse(response, null, target, Status.INVALID_ARGUMENT,
                    "host_id must be 1 to 128 letters, digits, '.', '_', ':' or '-'");
            return;
        }
        if (request.getCsrDer().isEmpty() || request.getCsrDer().size() > MAX_CSR_BYTES) {
            refuse(response, null, target, Status.INVALID_ARGUMENT, "csr_der must be a PKCS#10 request of at most "
                    + MAX_CSR_BYTES + " bytes");
            return;
        }
        if (revocations.isRevoked(hostId)) {
            refuse(response, null, target, Status.PERMISSION_DENIED, "host " + hostId + " is revoked");
            return;
        }
        tokens.spend(request.getToken()).onComplete(spent -> {
            if (spent.failed()) {
                internal(response, target, spent.cause());
                return;
            }
            if (spent.result().isEmpty()) {
                refuse(response, null, target, Status.UNAUTHENTICATED,
                        "the enrollment token is unknown, used up or expired");
                return;
            }
            EnrollmentTokens.Use use = spent.result().get();
            String actor = "enrollment:" + use.tokenId();
            // After the token: a caller without a good token learns nothing about which ids are enrolled.
            tokens.mayClaim(hostId).onComplete(claim -> {
                if (claim.failed()) {
                    internal(response, target, claim.cause());
                } else if (!claim.result()) {
                    refuse(response, actor, target, Status.PERMISSION_DENIED, "host " + hostId + " is already enrolled; an "
                            + "admin can allow it to enroll again (POST /api/v1/hosts/" + hostId + "/re-enroll)");
                } else {
                    issue(request, hostId, target, use, actor, response);
                }
            });
        });
    }

    private void issue(EnrollRequest request, String hostId, String target, EnrollmentTokens.Use use, String actor,
                       StreamObserver<EnrollResponse> response) {
        X509Certificate certificate;
        try {
            certificate = ca.issueAgent(hostId, request.getCsrDer().toByteArray());
        } catch (InvalidCsrException e) {
            refuse(response, actor, target, Status.INVALID_ARGUMENT, e.getMessage());
            return;
        }
        store.recordIssued("agent", hostId, certificate)
                .compose(x -> stampHost(hostId, blankToNull(request.getHostname()), use.labels()))
                .onComplete(done -> {
                    if (done.failed()) {
                        internal(response, target, done.cause());
                        return;
                    }
                    audit.record(actor, null, ACTION, target, 200, "serial " + certificate.getSerialNumber().toString(16));
                    LOG.info("enrolled host {} with enrollment token {}", hostId, use.tokenId());
                    response.onNext(EnrollResponse.newBuilder()
                            .setCertificatePem(Pem.encode(certificate))
                            .setCaCertificatePem(ca.certificatePem())
                            .putAllLabels(use.labels())
                            .build());
                    response.onCompleted();
                });
    }

    // The host shows up in listings before its first connect, with the token's labels on top of
    // whatever it already had.
    private Future<Void> stampHost(String hostId, String hostname, Map<String, String> labels) {
        JsonObject json = new JsonObject();
        labels.forEach(json::put);
        return pool.preparedQuery("""
                        INSERT INTO hosts (id, hostname, labels) VALUES ($1, $2, $3)
                        ON CONFLICT (id) DO UPDATE SET labels = hosts.labels || EXCLUDED.labels,
                               hostname = COALESCE(hosts.hostname, EXCLUDED.hostname), updated_at = now()""")
                .execute(Tuple.of(hostId, hostname, json))
                .mapEmpty();
    }

    private void refuse(StreamObserver<EnrollResponse> response, String actor, String target, Status status, String reason) {
        audit.record(actor, null, ACTION, target, GrpcStatuses.httpCode(status.getCode()), reason);
        response.onError(status.withDescription(reason).asRuntimeException());
    }

    private void internal(StreamObserver<EnrollResponse> response, String target, Throwable cause) {
        LOG.warn("enrollment of {} failed", target, cause);
        audit.record(null, null, ACTION, target, 500, "internal error");
        response.onError(Status.INTERNAL.withDescription("enrollment failed on the controller; see its log").asRuntimeException());
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
