package io.muster.controller.gateway;

import io.grpc.Status;
import io.muster.proto.refusal.RetryAfter;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.muster.controller.cluster.SessionEntry;
import io.muster.controller.cluster.SessionRules.EndCause;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Redirect;
import io.muster.proto.v1.Welcome;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One agent's Connect stream on this member, with manual gRPC flow control: the next inbound
 * message is requested only when the previous one has been handled (including its database
 * write), and outbound messages are written only while the transport is ready, else kept in a
 * bounded queue drained by the on-ready handler.
 *
 * <p>Threading: gRPC calls {@link #onNext}, {@link #onError}, {@link #onCompleted} and the
 * ready/cancel handlers serially; completions of database futures, ownership re-checks and the
 * liveness sweeper call in from other threads. Every access to the response observer and the
 * state is under this object's monitor; nothing under it blocks.
 */
final class AgentStream implements StreamObserver<AgentMessage>, AgentSession {

    /** From the Hello; read by dispatch on any thread. */
    private volatile Set<String> capabilities = Set.of();

    static final int OUTBOUND_LIMIT = 256;

    private enum State { AWAITING_HELLO, WELCOMING, OPEN, CLOSED }

    private final AgentGatewayService gateway;
    private final ServerCallStreamObserver<ControllerMessage> out;
    private final ArrayDeque<ControllerMessage> outbound = new ArrayDeque<>();
    private State state = State.AWAITING_HELLO;
    private String hostId;
    private SessionEntry entry;
    private volatile AgentInstance instance;
    private boolean ended;
    private volatile long lastHeardMs;
    private volatile CompletionStage<Boolean> claim = CompletableFuture.completedFuture(false);

    AgentStream(AgentGatewayService gateway, ServerCallStreamObserver<ControllerMessage> out, long nowMs) {
        this.gateway = gateway;
        this.out = out;
        this.lastHeardMs = nowMs;
        out.disableAutoRequest();
        out.setOnReadyHandler(this::drain);
        out.setOnCancelHandler(() -> end(EndCause.LOST));
    }

    /** Asks for the first message (the Hello). */
    void start() {
        out.request(1);
    }

    @Override
    public void onNext(AgentMessage message) {
        lastHeardMs = gateway.nowMs();
        Optional<String> malformed = MalformedMessages.reason(message);
        if (malformed.isPresent()) {
            fail(Status.INTERNAL, malformed.get(), EndCause.LOST);
            return;
        }
        State current;
        synchronized (this) {
            current = state;
        }
        switch (current) {
            case AWAITING_HELLO -> {
                if (message.getBodyCase() != AgentMessage.BodyCase.HELLO) {
                    refuse(Status.INVALID_ARGUMENT, "the first message on a stream must be Hello, got "
                            + message.getBodyCase());
                } else {
                    capabilities = Set.copyOf(message.getHello().getCapabilitiesList());
                    gateway.hello(this, message.getHello());
                }
            }
            case OPEN -> {
                Future<Void> handled = gateway.handle(this, message);
                handled.onComplete(ar -> requestNext());
            }
            // WELCOMING cannot receive (nothing was requested yet); CLOSED drops late messages.
            default -> {
            }
        }
    }

    @Override
    public void onError(Throwable error) {
        end(EndCause.LOST);
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            if (state != State.CLOSED) {
                flushAll();
                out.onCompleted();
                state = State.CLOSED;
            }
        }
        end(EndCause.LOST);
    }

    @Override
    public String hostId() {
        return hostId;
    }

    @Override
    public Set<String> capabilities() {
        return capabilities;
    }

    @Override
    public long connectedSinceMs() {
        SessionEntry current = entry;
        return current == null ? 0 : current.connectedSinceMs();
    }

    @Override
    public synchronized boolean send(ControllerMessage message) {
        if (state != State.OPEN || outbound.size() >= OUTBOUND_LIMIT) {
            return false;
        }
        write(message);
        return true;
    }

    @Override
    public synchronized boolean isOpen() {
        return state == State.OPEN;
    }

    SessionEntry entry() {
        return entry;
    }

    /** The write of this session's sessions-map entry; its release is ordered after it. */
    CompletionStage<Boolean> claim() {
        return claim;
    }

    void claimed(CompletionStage<Boolean> claim) {
        this.claim = claim;
    }

    /** The agent process of this session, once accepted. */
    AgentInstance instance() {
        return instance;
    }

    long lastHeardMs() {
        return lastHeardMs;
    }

    /** Takes the session for {@code hostId}; false when the stream closed in the meantime. */
    synchronized boolean accept(String hostId, SessionEntry entry, AgentInstance instance) {
        if (state != State.AWAITING_HELLO) {
            return false;
        }
        this.hostId = hostId;
        this.entry = entry;
        this.instance = instance;
        state = State.WELCOMING;
        return true;
    }

    /** Sends Welcome and starts reading; false when the session was closed while being welcomed. */
    synchronized boolean welcome(Welcome welcome) {
        if (state != State.WELCOMING) {
            return false;
        }
        write(ControllerMessage.newBuilder().setWelcome(welcome).build());
        state = State.OPEN;
        out.request(1);
        return true;
    }

    /**
     * Sends everything queued, then Redirect, then ends the stream.
     *
     * @return false when the stream was already closed
     */
    boolean redirect(String ownerAddress, String ownerMemberId, String reason, EndCause cause) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return false;
            }
            flushAll();
            out.onNext(ControllerMessage.newBuilder().setRedirect(Redirect.newBuilder()
                    .setOwnerAddress(ownerAddress == null ? "" : ownerAddress)
                    .setOwnerMemberId(ownerMemberId == null ? "" : ownerMemberId)
                    .setReason(reason)).build());
            out.onCompleted();
            state = State.CLOSED;
        }
        end(cause);
        return true;
    }

    /** Ends a stream that never became a session (bad Hello, not ready). */
    void refuse(Status status, String reason) {
        fail(status, reason, EndCause.LOST);
    }

    /** Refuses the stream with a retry-after trailer ({@link RetryAfter}): busy or starting. */
    void refuse(Status status, String reason, long retryAfterMs) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            out.onError(status.withDescription(reason).asRuntimeException(RetryAfter.trailers(retryAfterMs)));
            state = State.CLOSED;
        }
        end(EndCause.LOST);
    }

    @Override
    public void end(Status status, String reason) {
        fail(status, reason, EndCause.LOST);
    }

    /** Ends the stream with an error status; a held session ends with {@code cause}. */
    void fail(Status status, String reason, EndCause cause) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            out.onError(status.withDescription(reason).asRuntimeException());
            state = State.CLOSED;
        }
        end(cause);
    }

    /** The member was killed: forget the session without any of the actions of a normal end. */
    void halt() {
        synchronized (this) {
            state = State.CLOSED;
        }
        end(EndCause.HALTED);
    }

    private void requestNext() {
        synchronized (this) {
            if (state == State.OPEN) {
                out.request(1);
            }
        }
    }

    private void end(EndCause cause) {
        boolean held;
        synchronized (this) {
            state = State.CLOSED;
            held = !ended && entry != null;
            ended = true;
            outbound.clear();
        }
        if (held) {
            gateway.sessionEnded(this, cause);
        }
    }

    // Called under the monitor.
    private void write(ControllerMessage message) {
        if (outbound.isEmpty() && out.isReady()) {
            out.onNext(message);
        } else {
            outbound.add(message);
        }
    }

    // Called under the monitor. A closing stream writes what it queued regardless of readiness
    // (at most OUTBOUND_LIMIT messages, buffered by gRPC) so the final Redirect keeps its order.
    private void flushAll() {
        while (!outbound.isEmpty()) {
            out.onNext(outbound.poll());
        }
    }

    private void drain() {
        synchronized (this) {
            while (!outbound.isEmpty() && out.isReady()) {
                out.onNext(outbound.poll());
            }
        }
    }
}
