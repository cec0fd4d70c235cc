package io.muster.controller.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits agents to the gateway. For every call it puts the host id of the peer's client
 * certificate (if any) into the gRPC {@link Context} under {@link #PEER_HOST_ID}. On
 * AgentGateway/Connect it checks the first message, the Hello, before the gateway sees it:
 * <ul>
 *   <li>no client certificate (and the controller is not insecure): UNAUTHENTICATED;</li>
 *   <li>certificate of another host: PERMISSION_DENIED "certificate is for host X, hello says Y";</li>
 *   <li>revoked host: PERMISSION_DENIED "host X is revoked";</li>
 *   <li>no first message within {@link #HELLO_TIMEOUT}: DEADLINE_EXCEEDED, so that streams opened
 *   and left silent cannot pile up.</li>
 * </ul>
 * The revocation check is a memory lookup ({@link Revocations}), so it costs no database round
 * trip per Hello. Thread-safe; runs on gRPC's call executor and never blocks.
 */
public final class AgentAdmission implements ServerInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(AgentAdmission.class);
    public static final Context.Key<String> PEER_HOST_ID = Context.key("muster-peer-host-id");
    /**
     * How long a Connect stream may stay silent before its Hello. An agent sends it at once, but a
     * member behind on a connect storm reads it late: 10 s closed the streams of real agents when
     * 20,000 connected at 5,000/s on a loaded machine, and they came back as a storm of their own.
     * So it matches the agent's own patience for a Welcome (30 s); a pile-up of silent streams is
     * also bounded by the calls allowed per connection and, with TLS, needs a host's certificate.
     */
    public static final java.time.Duration HELLO_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final io.vertx.core.Vertx vertx;
    private final Revocations revocations;
    private final boolean insecure;

    /** @param insecure plaintext gateway: Hello is not bound to a certificate (revocation still holds) */
    public AgentAdmission(io.vertx.core.Vertx vertx, Revocations revocations, boolean insecure) {
        this.vertx = vertx;
        this.revocations = revocations;
        this.insecure = insecure;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        Optional<String> peer = peerHostId(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        Context context = Context.current().withValue(PEER_HOST_ID, peer.orElse(null));
        ServerCall.Listener<Q> listener = Contexts.interceptCall(context, call, headers, next);
        if (!call.getMethodDescriptor().getFullMethodName().equals(AgentGatewayGrpc.getConnectMethod().getFullMethodName())) {
            return listener;
        }
        HelloCheck<Q, A> check = new HelloCheck<>(listener, call, peer.orElse(null));
        check.timer = vertx.setTimer(HELLO_TIMEOUT.toMillis(), id -> check.timeout());
        return check;
    }

    /** Why a Hello for {@code hostId} over a connection with {@code peerHostId} is refused, or empty. */
    Optional<Status> refusal(String helloHostId, String peerHostId) {
        String hostId = helloHostId.trim();
        if (!insecure) {
            if (peerHostId == null) {
                return Optional.of(Status.UNAUTHENTICATED.withDescription(
                        "a client certificate is required: enroll the agent with --enroll-token-file FILE"));
            }
            if (!peerHostId.equals(hostId)) {
                return Optional.of(Status.PERMISSION_DENIED.withDescription(
                        "certificate is for host " + peerHostId + ", hello says " + hostId));
            }
        }
        if (!hostId.isEmpty() && revocations.isRevoked(hostId)) {
            return Optional.of(Status.PERMISSION_DENIED.withDescription("host " + hostId + " is revoked"));
        }
        return Optional.empty();
    }

    static Optional<String> peerHostId(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                return HostCertificates.hostId(leaf);
            }
        } catch (SSLPeerUnverifiedException e) {
            // No client certificate: an enrolling agent or a tool.
        }
        return Optional.empty();
    }

    /** Holds back the first message until it passed; a refused stream never reaches the gateway. */
    private final class HelloCheck<Q, A> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, A> call;
        private final String peerHostId;
        private final java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile boolean refused;
        volatile long timer;

        HelloCheck(ServerCall.Listener<Q> delegate, ServerCall<Q, A> call, String peerHostId) {
            super(delegate);
            this.call = call;
            this.peerHostId = peerHostId;
        }

        @Override
        public void onMessage(Q message) {
            if (refused) {
                return;
            }
            if (decided.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
                if (message instanceof AgentMessage agentMessage && agentMessage.hasHello()) {
                    Optional<Status> refusal = refusal(agentMessage.getHello().getHostId(), peerHostId);
                    if (refusal.isPresent()) {
                        refused = true;
                        LOG.warn("refused agent connect: {}", refusal.get().getDescription());
                        call.close(refusal.get(), new Metadata());
                        return;
                    }
                }
            }
            super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
            // The client is done sending: no Hello is coming, and the gateway answers the call.
            if (decided.compareAndSet(false, true)) {
                vertx.cancelTimer(timer);
            }
            if (!refused) {
                super.onHalfClose();
            }
        }

        @Override
        public void onCancel() {
            vertx.cancelTimer(timer);
            super.onCancel();
        }

        @Override
        public void onComplete() {
            // Closed without a Hello (a message that did not parse, the gateway ending it): nothing left to time.
            vertx.cancelTimer(timer);
            super.onComplete();
        }

        // Before any message the gateway has written nothing on the call, so closing it here is safe.
        void timeout() {
            if (decided.compareAndSet(false, true)) {
                refused = true;
                call.close(Status.DEADLINE_EXCEEDED.withDescription("no Hello within " + HELLO_TIMEOUT.toSeconds()
                        + " s of opening the stream"), new Metadata());
            }
        }
    }
}
