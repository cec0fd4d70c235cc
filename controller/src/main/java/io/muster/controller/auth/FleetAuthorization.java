package io.muster.controller.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.muster.controller.task.TaskTarget;
import io.muster.proto.v1.CancelTaskRequest;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.GetHostRequest;
import io.muster.proto.v1.ListHostsRequest;
import io.muster.proto.v1.SubmitTaskRequest;
import io.muster.proto.v1.SubmitTaskResponse;
import io.muster.proto.v1.WatchHostsRequest;
import io.muster.proto.v1.WatchTaskRequest;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token rules on gRPC FleetControl: "authorization: Bearer &lt;token&gt;" metadata checked
 * like the REST API's (UNAUTHENTICATED, PERMISSION_DENIED for the role), then the scope of a
 * scoped token: ListHosts/WatchHosts are narrowed to it, GetHost of a host outside is NOT_FOUND,
 * SubmitTask reaching outside is PERMISSION_DENIED with the count (also in the trailer
 * {@code muster-outside-count}), WatchTask/CancelTask of a task not visible are NOT_FOUND.
 * SubmitTask and CancelTask are audited, refused ones included. The principal is in the call's
 * {@link Context} under {@link #PRINCIPAL}.
 *
 * <p>Every FleetControl method takes one request message, so the call is held (nothing reaches
 * the service) until the token is verified and that message passed; events are then replayed in
 * order. Non-blocking: checks complete from database futures.
 */
public final class FleetAuthorization implements ServerInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(FleetAuthorization.class);
    public static final Context.Key<Principal> PRINCIPAL = Context.key("muster-principal");
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> OUTSIDE_COUNT = Metadata.Key.of("muster-outside-count", Metadata.ASCII_STRING_MARSHALLER);
    private static final Map<String, Role> ROLES = Map.of(
            "ListHosts", Role.VIEWER, "GetHost", Role.VIEWER, "WatchHosts", Role.VIEWER, "WatchTask", Role.VIEWER,
            "SubmitTask", Role.OPERATOR, "CancelTask", Role.OPERATOR);
    private static final List<String> AUDITED = List.of("SubmitTask", "CancelTask");

    private final ApiTokens tokens;
    private final ScopeGuard scopes;
    private final AuditLog audit;

    public FleetAuthorization(ApiTokens tokens, ScopeGuard scopes, AuditLog audit) {
        this.tokens = tokens;
        this.scopes = scopes;
        this.audit = audit;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (!FleetControlGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        String method = call.getMethodDescriptor().getBareMethodName();
        Held<Q, A> held = new Held<>(AUDITED.contains(method) ? new Audited<>(call, method) : call, headers, next, method,
                Context.current());
        call.request(1);
        tokens.verify(AuthHandler.bearer(headers.get(AUTHORIZATION))).onComplete(ar -> {
            if (ar.succeeded()) {
                held.verified(ar.result());
            } else if (ar.cause() instanceof ApiTokens.Rejected rejected) {
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
            this.action = "grpc " + FleetControlGrpc.SERVICE_NAME + "/" + method;
        }

        // A created task is named by its id, as over REST, so that "created by this token" can be looked up.
        @Override
        public void sendMessage(A message) {
            if (message instanceof SubmitTaskResponse created && !created.getTaskId().isEmpty()) {
                target = "task:" + created.getTaskId();
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

    /** Holds the call until the caller and the request are checked; then replays events in order. */
    private final class Held<Q, A> extends ServerCall.Listener<Q> {
        private final ServerCall<Q, A> call;
        private final Metadata headers;
        private final ServerCallHandler<Q, A> next;
        private final String method;
        private final Context callContext;
        private final ArrayDeque<Consumer<ServerCall.Listener<Q>>> events = new ArrayDeque<>();
        private Principal principal;
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

        void verified(Principal caller) {
            synchronized (this) {
                principal = caller;
                if (call instanceof Audited<Q, A> audited) {
                    audited.principal = caller;
                }
            }
            Role required = ROLES.getOrDefault(method, Role.ADMIN);
            if (!caller.role().includes(required)) {
                refuse(Status.PERMISSION_DENIED.withDescription("role " + caller.role().wireName() + " may not call "
                        + method + "; it needs " + required.wireName()), null);
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
            enqueue(ServerCall.Listener::onCancel);
        }

        @Override
        public void onComplete() {
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
            scope(caller, request).onComplete(ar -> {
                if (ar.failed()) {
                    if (ar.cause() instanceof Refusal refusal) {
                        refuse(refusal.status, refusal.trailers);
                    } else {
                        LOG.warn("scope check of {} failed", method, ar.cause());
                        refuse(Status.INTERNAL.withDescription(method + " failed on the controller; see its log"), null);
                    }
                    return;
                }
                start(caller, ar.result());
            });
        }

        private void start(Principal caller, Q request) {
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

        /** Completes with the request to hand on (narrowed for a scoped token), or fails with a Refusal. */
        @SuppressWarnings("unchecked")
        private Future<Q> scope(Principal caller, Q request) {
            if (request instanceof SubmitTaskRequest submit && call instanceof Audited<Q, A> audited) {
                audited.target = submit.getSelector().isBlank() ? "hosts:" + String.join(",", submit.getHostIdsList())
                        : "selector:" + submit.getSelector();
            }
            if (request instanceof CancelTaskRequest cancel && call instanceof Audited<Q, A> audited) {
                audited.target = "task:" + cancel.getTaskId();
            }
            if (!caller.scoped()) {
                return Future.succeededFuture(request);
            }
            Selector scope = caller.scope();
            if (request instanceof ListHostsRequest list) {
                return Future.succeededFuture((Q) list.toBuilder().setSelector(narrow(list.getSelector(), scope)).build());
            }
            if (request instanceof WatchHostsRequest watch) {
                return Future.succeededFuture((Q) watch.toBuilder().setSelector(narrow(watch.getSelector(), scope)).build());
            }
            if (request instanceof GetHostRequest get) {
                String hostId = get.getHostId().trim();
                if (hostId.isEmpty()) {
                    return Future.succeededFuture(request);
                }
                return scopes.hostVisible(hostId, scope).compose(visible -> visible ? Future.succeededFuture(request)
                        : Future.failedFuture(new Refusal(Status.NOT_FOUND.withDescription("no host with id " + hostId), null)));
            }
            if (request instanceof SubmitTaskRequest submit) {
                TaskTarget target;
                try {
                    target = submit.getSelector().isBlank() ? new TaskTarget.ByHosts(submit.getHostIdsList())
                            : new TaskTarget.BySelector(Selector.parse(submit.getSelector()));
                } catch (IllegalArgumentException e) {
                    return Future.succeededFuture(request); // the service answers INVALID_ARGUMENT
                }
                return scopes.outside(target, scope).compose(outside -> {
                    if (outside == 0) {
                        return Future.succeededFuture(request);
                    }
                    Metadata trailers = new Metadata();
                    trailers.put(OUTSIDE_COUNT, Integer.toString(outside));
                    return Future.failedFuture(new Refusal(Status.PERMISSION_DENIED.withDescription("the task reaches " + outside
                            + " host(s) outside the token's scope '" + scope + "'"), trailers));
                });
            }
            String taskId = request instanceof WatchTaskRequest watch ? watch.getTaskId()
                    : request instanceof CancelTaskRequest cancel ? cancel.getTaskId() : null;
            if (taskId != null) {
                UUID id;
                try {
                    id = UUID.fromString(taskId.trim());
                } catch (IllegalArgumentException e) {
                    return Future.succeededFuture(request);
                }
                return scopes.taskVisible(id, scope, caller.tokenId()).compose(visible -> visible ? Future.succeededFuture(request)
                        : Future.failedFuture(new Refusal(Status.NOT_FOUND.withDescription("no task with id " + id), null)));
            }
            return Future.succeededFuture(request);
        }
    }

    // A malformed selector is passed on unchanged so that the service names the error.
    private static String narrow(String requested, Selector scope) {
        try {
            return ScopeGuard.narrow(requested.isBlank() ? null : Selector.parse(requested), scope).toString();
        } catch (SelectorSyntaxException e) {
            return requested;
        }
    }

    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Status status;
        final transient Metadata trailers;

        Refusal(Status status, Metadata trailers) {
            super(status.getDescription(), null, false, false);
            this.status = status;
            this.trailers = trailers;
        }
    }
}
