package io.muster.controller;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Hello;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven AgentGateway stream over a real channel, for the cases a well-behaved agent never
 * produces (no host id, no Hello first, oversized inventory) and for reading the controller's
 * answers message by message.
 */
final class RawAgentStream implements AutoCloseable {

    private final ManagedChannel channel;
    private final StreamObserver<AgentMessage> requests;
    private final BlockingQueue<ControllerMessage> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();

    RawAgentStream(String address) {
        this.channel = NettyChannelBuilder.forTarget(address).usePlaintext().maxInboundMessageSize(8 << 20).build();
        this.requests = AgentGatewayGrpc.newStub(channel).connect(new StreamObserver<>() {
            @Override
            public void onNext(ControllerMessage message) {
                received.add(message);
            }

            @Override
            public void onError(Throwable error) {
                end.complete(Status.fromThrowable(error));
            }

            @Override
            public void onCompleted() {
                end.complete(Status.OK);
            }
        });
    }

    static Hello hello(String hostId) {
        return Hello.newBuilder().setHostId(hostId).setAgentVersion("raw-test").setHostname("raw-" + hostId).build();
    }

    RawAgentStream send(AgentMessage message) {
        requests.onNext(message);
        return this;
    }

    RawAgentStream sendHello(Hello hello) {
        return send(AgentMessage.newBuilder().setHello(hello).build());
    }

    /** The next message from the controller. */
    ControllerMessage next(Duration timeout) throws InterruptedException {
        ControllerMessage message = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("no message from the controller within " + timeout + "; stream ended with "
                    + (end.isDone() ? end.join() : "nothing yet"));
        }
        return message;
    }

    /** How the controller ended the stream. */
    Status awaitEnd(Duration timeout) throws Exception {
        return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (!end.isDone()) {
            requests.onCompleted();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
