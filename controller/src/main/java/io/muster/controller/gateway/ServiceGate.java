package io.muster.controller.gateway;

import io.grpc.HandlerRegistry;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.muster.proto.refusal.RetryAfter;
import java.io.InputStream;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gRPC services of a member, behind a gate that opens once. The gRPC server binds before the
 * member joins the cluster (Hazelcast publishes its real port as a member attribute), but the
 * services need the cluster; so the server starts with this registry and the member {@link #open}s
 * it with its services once they are built. Until then every call is refused UNAVAILABLE "member
 * starting" with a paced retry-after ({@link ConnectPacer}), as a starting gateway refuses a Hello.
 *
 * <p>Thread-safe: lookups read one volatile map.
 */
public final class ServiceGate extends HandlerRegistry {

    /** Bytes in, bytes out: a refused call never reads its messages. */
    private static final MethodDescriptor.Marshaller<InputStream> UNREAD = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    };

    private final ConnectPacer pacer;
    private volatile List<ServerServiceDefinition> services = List.of();
    private volatile Map<String, ServerMethodDefinition<?, ?>> methods;

    public ServiceGate(Clock clock) {
        this.pacer = new ConnectPacer(clock);
    }

    /** Serves {@code definitions} from now on; called once. */
    public void open(List<ServerServiceDefinition> definitions) {
        Map<String, ServerMethodDefinition<?, ?>> byName = new HashMap<>();
        for (ServerServiceDefinition service : definitions) {
            for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
                byName.put(method.getMethodDescriptor().getFullMethodName(), method);
            }
        }
        services = List.copyOf(definitions);
        methods = Map.copyOf(byName);
    }

    @Override
    public List<ServerServiceDefinition> getServices() {
        return services;
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        Map<String, ServerMethodDefinition<?, ?>> open = methods;
        if (open != null) {
            return open.get(methodName);
        }
        MethodDescriptor<InputStream, InputStream> method = MethodDescriptor.<InputStream, InputStream>newBuilder()
                .setType(MethodDescriptor.MethodType.UNKNOWN)
                .setFullMethodName(methodName)
                .setRequestMarshaller(UNREAD)
                .setResponseMarshaller(UNREAD)
                .build();
        return ServerMethodDefinition.create(method, starting());
    }

    private ServerCallHandler<InputStream, InputStream> starting() {
        return (call, headers) -> {
            call.close(Status.UNAVAILABLE.withDescription("member starting"), RetryAfter.trailers(pacer.retryAfterMs()));
            return new ServerCall.Listener<>() {
            };
        };
    }
}
