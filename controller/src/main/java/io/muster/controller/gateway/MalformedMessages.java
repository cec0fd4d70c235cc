package io.muster.controller.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.BindableService;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Requests whose bytes do not parse are refused with INTERNAL and the parser's reason.
 *
 * <p>grpc-java answers a request its marshaller cannot parse with UNKNOWN "Application error
 * processing RPC" (the reason is lost) and logs the stack trace at SEVERE, once per bad message:
 * nothing a client can act on, and a log anyone who can open a stream can fill. So each method's
 * request marshaller is replaced by one that turns such bytes into the request type's empty
 * message carrying the reason in a field number no message of ours uses ({@link #MARK_FIELD}),
 * and the call is refused where that message arrives: for methods whose client sends one message
 * (unary, server-streaming) by the handler here, before the service sees it (their service starts
 * only once the request is whole, so nothing was written on the call yet); for the Connect stream
 * by {@link AgentStream}, which owns that call's writes.
 */
public final class MalformedMessages {

    /** The highest field number protobuf allows. */
    static final int MARK_FIELD = 536_870_911;

    private MalformedMessages() {
    }

    /** {@code service} with every request that does not parse refused as described above. */
    public static BindableService refused(BindableService service) {
        ServerServiceDefinition definition = service.bindService();
        ServiceDescriptor original = definition.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
            ServerMethodDefinition<?, ?> marking = marking(method);
            descriptor.addMethod(marking.getMethodDescriptor());
            methods.add(marking);
        }
        ServerServiceDefinition.Builder refusing = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(refusing::addMethod);
        ServerServiceDefinition refused = refusing.build();
        return () -> refused;
    }

    /** Why {@code message} did not parse, when it stands for bytes that did not. */
    public static Optional<String> reason(Message message) {
        List<ByteString> mark = message.getUnknownFields().getField(MARK_FIELD).getLengthDelimitedList();
        return mark.isEmpty() ? Optional.empty() : Optional.of(mark.get(0).toStringUtf8());
    }

    private static <Q, A> ServerMethodDefinition<Q, A> marking(ServerMethodDefinition<Q, A> method) {
        MethodDescriptor<Q, A> original = method.getMethodDescriptor();
        if (!(original.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> parser)
                || !(parser.getMessagePrototype() instanceof Message)) {
            return method;
        }
        MethodDescriptor<Q, A> descriptor = original.toBuilder(new Marking<>(parser), original.getResponseMarshaller()).build();
        ServerCallHandler<Q, A> handler = original.getType().clientSendsOneMessage()
                ? refusing(method.getServerCallHandler())
                : method.getServerCallHandler();
        return ServerMethodDefinition.create(descriptor, handler);
    }

    private static <Q, A> ServerCallHandler<Q, A> refusing(ServerCallHandler<Q, A> next) {
        return (call, headers) -> new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                next.startCall(call, headers)) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                Optional<String> malformed = reason((Message) message);
                if (malformed.isPresent()) {
                    refused = true;
                    call.close(Status.INTERNAL.withDescription(malformed.get()), new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The protobuf marshaller, except that bytes it cannot parse become a marked empty message. */
    private record Marking<Q>(MethodDescriptor.PrototypeMarshaller<Q> parser) implements MethodDescriptor.PrototypeMarshaller<Q> {

        @Override
        public InputStream stream(Q value) {
            return parser.stream(value);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Q parse(InputStream stream) {
            try {
                return parser.parse(stream);
            } catch (StatusRuntimeException invalid) {
                // grpc's protobuf marshaller: INTERNAL "Invalid protobuf byte sequence", caused by the parser's exception.
                Message prototype = (Message) parser.getMessagePrototype();
                String why = invalid.getCause() != null ? invalid.getCause().getMessage() : invalid.getStatus().getDescription();
                String reason = "a " + prototype.getDescriptorForType().getFullName() + " that does not parse: " + why;
                return (Q) prototype.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(MARK_FIELD, UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFromUtf8(reason)).build())
                        .build()).build();
            }
        }

        @Override
        public Q getMessagePrototype() {
            return parser.getMessagePrototype();
        }

        @Override
        public Class<Q> getMessageClass() {
            return parser.getMessageClass();
        }
    }
}
