package io.muster.agent.session;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Hello;
import io.muster.proto.v1.Redirect;
import io.muster.proto.v1.Welcome;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real gRPC server on loopback that speaks the controller's side of AgentGateway as a protocol
 * peer: it answers each Hello as the test decides (Welcome, Redirect or silence), records what the
 * agent sends, and lets the test push messages down the stream.
 */
public final class GatewayPeer implements AutoCloseable {

    /** What to answer to a Hello: a message, or null for silence. */
    public final Function<Hello, ControllerMessage> answer;
    public final List<Hello> hellos = new CopyOnWriteArrayList<>();
    public final List<AgentMessage> received = new CopyOnWriteArrayList<>();
    public final List<StreamObserver<ControllerMessage>> streams = new CopyOnWriteArrayList<>();
    private final Server server;
    /** Streams whose inbound flow is held (the peer stops requesting messages after the Hello). */
    private final List<ServerCallStreamObserver<ControllerMessage>> held = new CopyOnWriteArrayList<>();
    private volatile boolean holdAfterHello;
    /** When set, every Hello is answered by failing the stream with this status. */
    public volatile io.grpc.Status refuseWith;

    public GatewayPeer(int port, Function<Hello, ControllerMessage> answer) throws Exception {
        this.answer = answer;
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new AgentGatewayGrpc.AgentGatewayImplBase() {
                    @Override
                    public StreamObserver<AgentMessage> connect(StreamObserver<ControllerMessage> responses) {
                        ServerCallStreamObserver<ControllerMessage> out = (ServerCallStreamObserver<ControllerMessage>) responses;
                        out.disableAutoRequest();
                        out.request(1);
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(AgentMessage message) {
                                received.add(message);
                                if (holdAfterHello && message.hasHello()) {
                                    held.add(out);
                                } else {
                                    out.request(1);
                                }
                                if (message.hasHello() && refuseWith != null) {
                                    hellos.add(message.getHello());
                                    out.onError(refuseWith.asRuntimeException());
                                    return;
                                }
                                if (message.hasHello()) {
                                    hellos.add(message.getHello());
                                    ControllerMessage reply = answer.apply(message.getHello());
                                    if (reply != null) {
                                        synchronized (out) {
                                            out.onNext(reply);
                                            if (reply.hasRedirect()) {
                                                out.onCompleted();
                                                return;
                                            }
                                        }
                                        streams.add(out);
                                    }
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                                streams.remove(out);
                            }

                            @Override
                            public void onCompleted() {
                                streams.remove(out);
                                try {
                                    out.onCompleted();
                                } catch (RuntimeException e) {
                                    // already closed
                                }
                            }
                        };
                    }
                })
                .build()
                .start();
    }

    public static ControllerMessage welcome(String member, long heartbeatMs, boolean inventoryRequired) {
        return ControllerMessage.newBuilder().setWelcome(Welcome.newBuilder().setMemberId(member)
                .setHeartbeatIntervalMs(heartbeatMs).setInventoryRequired(inventoryRequired)).build();
    }

    public static ControllerMessage redirect(String address) {
        return ControllerMessage.newBuilder().setRedirect(Redirect.newBuilder().setOwnerAddress(address)
                .setOwnerMemberId("owner").setReason("not-owner")).build();
    }

    public int port() {
        return server.getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** From now on, stop reading a stream after its Hello until {@link #release()}. */
    public void holdAfterHello() {
        holdAfterHello = true;
    }

    /** Resumes reading the held streams. */
    public void release() {
        holdAfterHello = false;
        held.forEach(out -> out.request(Integer.MAX_VALUE));
        held.clear();
    }

    /** Sends a message on every open stream. */
    public void push(ControllerMessage message) {
        for (StreamObserver<ControllerMessage> stream : streams) {
            synchronized (stream) {
                stream.onNext(message);
            }
        }
    }

    public List<AgentMessage> received(AgentMessage.BodyCase kind) {
        return received.stream().filter(m -> m.getBodyCase() == kind).toList();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
