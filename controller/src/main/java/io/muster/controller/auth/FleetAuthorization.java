package io.muster.controller.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.access.Refusal;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Scoping;
import io.muster.controller.access.Subject;
import io.muster.controller.task.TaskTarget;
import io.muster.proto.v1.CancelTaskRequest;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.GetHostRequest;
import io.muster.proto.v1.SubmitTaskRequest;
import io.muster.proto.v1.SubmitTaskResponse;
import io.muster.proto.v1.WatchTaskRequest;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.Set;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.EnrollmentGrpc;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token rules on gRPC FleetControl: "authorization: Bearer &lt;token&gt;" metadata
 * authenticates the caller (UNAUTHENTICATED), then each method's {@link Rule} from {@link #RULES}
 * is applied by {@link Access}: PERMISSION_DENIED for the role, GetHost of a host outside the
 * scope NOT_FOUND, SubmitTask reaching outside PERMISSION_DENIED with the count (also in the
 * trailer {@code muster-outside-count}), WatchTask/CancelTask of a task not visible NOT_FOUND.
 * ListHosts and WatchHosts narrow their own selector to the scope. A method without a rule is
 * refused: a new RPC is closed until its rule is declared here.
 * SubmitTask and CancelTask are audited, refused ones included. The principal is in the call's
 * {@link Context} under {@link #PRINCIPAL}.
 *
 * <p>Every FleetControl method takes one request message, so the call is held (nothing reaches
 * the service) until the token is verified and that message passed; events are then replayed in
 * order. A streaming call (WatchHosts, WatchTask, WatchRollout) holds its token in {@link HeldTokens} while it is
 * open: each message it sends checks the token first, and the stream is closed UNAUTHENTICATED
 * (and the service told the call is cancelled) once the token is revoked or expires.
 * Non-blocking: checks complete from database futures.
 */
public final class FleetAuthorization implements ServerInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(FleetAuthorization.class);
    public static final Context.Key<Principal> PRINCIPAL = Context.key("muster-principal");
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> OUTSIDE_COUNT = Metadata.Key.of("muster-outside-count", Metadata.ASCII_STRING_MARSHALLER);

    /** A method's rule and how its subject is read from its one request message. */
    public record MethodRule(Rule rule, Function<Object, Subject> subject) {
    }

    /**
     * Services whose callers are agents, authenticated by their certificate or enrollment token
     * ({@link AgentAdmission}, {@link EnrollmentService}), not by API tokens.
     */
    public static final Set<String> AGENT_SERVICES = Set.of(AgentGatewayGrpc.SERVICE_NAME, EnrollmentGrpc.SERVICE_NAME);

    /** Every API-token method's rule, by full method name ("muster.v1.FleetControl/ListHosts"). */
    public static final Map<String, MethodRule> RULES = Map.ofEntries(
            Map.entry(fleet("ListHosts"), new MethodRule(Rule.viewer("hosts.list", Scoping.HOST_QUERY), request -> Subject.none())),
            Map.entry(fleet("WatchHosts"), new MethodRule(Rule.viewer("hosts.watch", Scoping.HOST_QUERY), request -> Subject.none())),
            Map.entry(fleet("GetHost"), new MethodRule(Rule.viewer("hosts.get", Scoping.HOST),
                    request -> Subject.host(((GetHostRequest) request).getHostId().trim()))),
            Map.entry(fleet("SubmitTask"), new MethodRule(Rule.operator("tasks.create", Scoping.TASK_TARGET),
                    request -> Subject.target(target((SubmitTaskRequest) request)))),
            Map.entry(fleet("WatchTask"), new MethodRule(Rule.viewer("tasks.watch", Scoping.TASK),
                    request -> Subject.task(((WatchTaskRequest) request).getTaskId()))),
            Map.entry(fleet("CancelTask"), new MethodRule(Rule.operator("tasks.cancel", Scoping.TASK),
                    request -> Subject.task(((CancelTaskRequest) request).getTaskId()))),
            // Rollouts and schedules span whatever hosts their targets match: not for scoped tokens, as over REST.
            Map.entry(fleet("ListRollouts"), new MethodRule(Rule.viewer("rollouts.list", Scoping.UNSCOPED_ONLY), request -> Subject.none())),
            Map.entry(fleet("GetRollout"), new MethodRule(Rule.viewer("rollouts.get", Scoping.UNSCOPED_ONLY), request -> Subject.none())),
            Map.entry(fleet("SubmitRollout"), new MethodRule(Rule.operator("rollouts.create", Scoping.UNSCOPED_ONLY), request -> Subject.none())),
            Map.entry(fleet("WatchRollout"), new MethodRule(Rule.viewer("rollouts.events", Scoping.UNSCOPED_ONLY), request -> Subject.none())),
            Map.entry(fleet("ListSchedules"), new MethodRule(Rule.viewer("schedules.list", Scoping.UNSCOPED_ONLY), request -> Subject.none())),
            Map.entry(fleet("GetSchedule"), new MethodRule(Rule.viewer("schedules.get", Scoping.UNSCOPED_ONLY), request -> Subject.none())));
    private static final Set<String> AUDITED = Set.of(fleet("SubmitTask"), fleet("CancelTask"), fleet("SubmitRollout"));

    private final ApiTokens tokens;
    private final HeldTokens held;
    private final UnauthenticatedLimit limit;
    private final Access access;
    private final AuditLog audit;

    public FleetAuthorization(ApiTokens tokens, HeldTokens held, Access access, AuditLog audit, UnauthenticatedLimit limit) {
        this.limit = limit;
        this.tokens = tokens;
        this.held = held;
        this.access = access;
        this.audit = audit;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (AGENT_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        java.net.SocketAddress remote = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        String address = remote instanceof java.net.InetSocketAddress inet ? inet.getAddress().getHostAddress() : "unknown";
        if (limit.admit(address) != UnauthenticatedLimit.Admission.CHECK) {
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("too many calls from " + address
                    + " failed authentication; retry later"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        ServerCall<Q, A> wrapped = AUDITED.contains(method) ? new Audited<>(call, method)
                : call.getMethodDescriptor().getType().serverSendsOneMessage() ? call : new Guarded<>(call);
        Held<Q, A> held = new Held<>(wrapped, headers, next, method, Context.current());
        call.request(1);
        String token = AuthHandler.bearer(headers.get(AUTHORIZATION));
        tokens.verify(token).onComplete(ar -> {
            if (ar.succeeded()) {
                held.verified(ar.result(), token);
            } else if (ar.cause() instanceof ApiTokens.Rejected rejected) {
                limit.refused(address);
                held.refuse(Status.UNAUTHENTICATED.withDescription(rejected.getMessage()), null);
            } else {
                LOG.warn("could not verify an API token: {}", ar.cause().toString());
                held.refuse(Status.UNAVAILABLE.withDescription("the controller could not check the token; retry shortly"), null);
            }
        });
        return held;
    }

    /** A mutating call: audited with its final status and the caller known by then. */
    private final class Audited<Q, A> extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
        private final String action;
        volatile Principal principal;
        volatile String target;

        Audited(ServerCall<Q, A> delegate, String method) {
            super(delegate);
            this.action = "grpc " + method;
        }

        // A created task is named by its id, as over REST, so that "created by this token" can be looked up.
        @Override
        public void sendMessage(A message) {
            if (message instanceof SubmitTaskResponse created && !created.getTaskId().isEmpty()) {
                target = "task:" + created.getTaskId();
            }
            if (message instanceof io.muster.proto.v1.Rollout created) {
                target = "rollout:" + created.getId();
            }
            super.sendMessage(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            Principal caller = principal;
            audit.record(caller == null ? null : caller.tokenId(), caller == null ? null : caller.name(), action, target,
                    GrpcStatuses.httpCode(status.getCode()), status.isOk() ? null : status.getDescription());
            super.close(status, trailers);
        }
    }

    /**
     * A streaming call whose token may be revoked or expire while it is open: every message sent
     * checks the token's hold first, and {@link #end} closes the call from another thread. The
     * lock makes close and send exclusive, so nothing is sent after the close.
     */
    private static final class Guarded<Q, A> extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
        private volatile HeldTokens.Hold hold;
        private volatile Runnable cancelService = () -> { };
        private boolean closed;

        Guarded(ServerCall<Q, A> delegate) {
            super(delegate);
        }

        /**
         * Holds the token from now on; {@code cancelService} is set first, so an end at once still
         * reaches the service. False when no hold was given (the token holds too many streams).
         */
        boolean holding(java.util.function.Function<Guarded<Q, A>, HeldTokens.Hold> holdOf, Runnable cancelService) {
            this.cancelService = cancelService;
            HeldTokens.Hold taken = holdOf.apply(this);
            if (taken == null) {
                return false;
            }
            boolean alreadyClosed;
            synchronized (this) {
                hold = taken;
                alreadyClosed = closed;
            }
            if (alreadyClosed) {
                taken.release();
            }
            return true;
        }

        @Override
        public void sendMessage(A message) {
            HeldTokens.Hold current = hold;
            String refusal = current == null ? null : current.refusal();
            if (refusal != null) {
                end(refusal);
                return;
            }
            synchronized (this) {
                if (!closed) {
                    super.sendMessage(message);
                }
            }
        }

        @Override
        public void close(Status status, Metadata trailers) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                super.close(status, trailers);
            }
            HeldTokens.Hold current = hold;
            if (current != null) {
                current.release();
            }
        }

        /** The call ended (cancelled by the client or completed): drop the hold. */
        void release() {
            HeldTokens.Hold current = hold;
            if (current != null) {
                current.release();
            }
        }

        /** Closes the call UNAUTHENTICATED with the reason and tells the service it is cancelled. */
        void end(String reason) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                super.close(Status.UNAUTHENTICATED.withDescription(reason), new Metadata());
            }
            HeldTokens.Hold current = hold;
            if (current != null) {
                current.release();
            }
            cancelService.run();
        }
    }

    /** Holds the call until the caller and the request are checked; then replays events in order. */
    private final class Held<Q, A> extends ServerCall.Listener<Q> {
        private final ServerCall<Q, A> call;
        private final Metadata headers;
        private final ServerCallHandler<Q, A> next;
        private final String method;
        private final Context callContext;
        private final ArrayDeque<Consumer<ServerCall.Listener<Q>>> events = new ArrayDeque<>();
        private Principal principal;
        private String token;
        private Q message;
        private boolean checking;
        private boolean finished;
        private boolean draining;
        private ServerCall.Listener<Q> delegate;

        Held(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next, String method, Context callContext) {
            this.call = call;
            this.callContext = callContext;
            this.headers = headers;
            this.next = next;
            this.method = method;
        }

        void verified(Principal caller, String presented) {
            synchronized (this) {
                principal = caller;
                token = presented;
                if (call instanceof Audited<Q, A> audited) {
                    audited.principal = caller;
                }
            }
            if (!RULES.containsKey(method)) {
                refuse(Status.PERMISSION_DENIED.withDescription(method + " declares no rule, so nobody may call it"), null);
                return;
            }
            proceedWhenReady();
        }

        @Override
        public void onMessage(Q received) {
            synchronized (this) {
                if (message == null && delegate == null) {
                    message = received;
                } else {
                    events.add(l -> l.onMessage(received));
                }
            }
            proceedWhenReady();
            drain();
        }

        @Override
        public void onHalfClose() {
            enqueue(ServerCall.Listener::onHalfClose);
        }

        @Override
        public void onCancel() {
            synchronized (this) {
                if (delegate == null) {
                    finished = true;
                }
            }
            // The client went away: its stream holds its token no longer.
            if (call instanceof Guarded<Q, A> guarded) {
                guarded.release();
            }
            enqueue(ServerCall.Listener::onCancel);
        }

        @Override
        public void onComplete() {
            if (call instanceof Guarded<Q, A> guarded) {
                guarded.release();
            }
            enqueue(ServerCall.Listener::onComplete);
        }

        @Override
        public void onReady() {
            enqueue(ServerCall.Listener::onReady);
        }

        private void enqueue(Consumer<ServerCall.Listener<Q>> event) {
            synchronized (this) {
                events.add(event);
            }
            drain();
        }

        private void proceedWhenReady() {
            Principal caller;
            Q request;
            synchronized (this) {
                if (checking || finished || principal == null || message == null) {
                    return;
                }
                checking = true;
                caller = principal;
                request = message;
            }
            authorize(caller, request).onComplete(ar -> {
                if (ar.failed()) {
                    if (ar.cause() instanceof Refusal refusal) {
                        refuse(status(refusal), trailers(refusal));
                    } else {
                        LOG.warn("scope check of {} failed", method, ar.cause());
                        refuse(Status.INTERNAL.withDescription(method + " failed on the controller; see its log"), null);
                    }
                    return;
                }
                start(caller, request);
            });
        }

        private void start(Principal caller, Q request) {
            if (call instanceof Guarded<Q, A> guarded) {
                String presented;
                synchronized (this) {
                    if (finished) {
                        return;
                    }
                    presented = token;
                }
                if (!guarded.holding(g -> held.holdWithin(presented, method, caller, g::end),
                        () -> enqueue(ServerCall.Listener::onCancel))) {
                    refuse(Status.RESOURCE_EXHAUSTED.withDescription("token " + caller.tokenId() + " already has "
                            + HeldTokens.MAX_STREAMS_PER_TOKEN + " " + method + " streams open; close one first"), null);
                    return;
                }
            }
            // The call's own context carries its deadline and cancellation.
            Context context = callContext.withValue(PRINCIPAL, caller);
            ServerCall.Listener<Q> real = Contexts.interceptCall(context, call, headers, next);
            synchronized (this) {
                if (finished) {
                    return;
                }
                events.addFirst(l -> l.onMessage(request));
                delegate = real;
            }
            drain();
        }

        void refuse(Status status, Metadata trailers) {
            synchronized (this) {
                if (finished || delegate != null) {
                    return;
                }
                finished = true;
                events.clear();
            }
            call.close(status, trailers == null ? new Metadata() : trailers);
        }

        // One thread at a time hands events to the service, in arrival order.
        private void drain() {
            while (true) {
                Consumer<ServerCall.Listener<Q>> event;
                ServerCall.Listener<Q> target;
                synchronized (this) {
                    if (draining || delegate == null || events.isEmpty()) {
                        return;
                    }
                    draining = true;
                    event = events.poll();
                    target = delegate;
                }
                try {
                    event.accept(target);
                } finally {
                    synchronized (this) {
                        draining = false;
                    }
                }
            }
        }

        private Future<Void> authorize(Principal caller, Q request) {
            if (request instanceof SubmitTaskRequest submit && call instanceof Audited<Q, A> audited) {
                audited.target = submit.getSelector().isBlank() ? "hosts:" + String.join(",", submit.getHostIdsList())
                        : "selector:" + submit.getSelector();
            }
            if (request instanceof CancelTaskRequest cancel && call instanceof Audited<Q, A> audited) {
                audited.target = "task:" + cancel.getTaskId();
            }
            MethodRule rule = RULES.get(method);
            // A SubmitTask whose target does not parse is answered INVALID_ARGUMENT by the service.
            if (rule.rule().scoping() == Scoping.TASK_TARGET && caller.scoped() && target((SubmitTaskRequest) request) == null) {
                return Future.succeededFuture();
            }
            return access.check(caller, rule.rule(), caller.scoped() ? rule.subject().apply(request) : Subject.none());
        }
    }

    private static String fleet(String method) {
        return FleetControlGrpc.SERVICE_NAME + "/" + method;
    }

    private static TaskTarget target(SubmitTaskRequest submit) {
        try {
            return submit.getSelector().isBlank() ? new TaskTarget.ByHosts(submit.getHostIdsList())
                    : new TaskTarget.BySelector(Selector.parse(submit.getSelector()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Status status(Refusal refusal) {
        Status status = switch (refusal.kind()) {
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case FORBIDDEN, OUTSIDE_SCOPE -> Status.PERMISSION_DENIED;
            case HOST_NOT_FOUND, TASK_NOT_FOUND -> Status.NOT_FOUND;
        };
        return status.withDescription(refusal.getMessage());
    }

    private static Metadata trailers(Refusal refusal) {
        if (refusal.kind() != Refusal.Kind.OUTSIDE_SCOPE) {
            return null;
        }
        Metadata trailers = new Metadata();
        trailers.put(OUTSIDE_COUNT, Integer.toString(refusal.count()));
        return trailers;
    }
}
