package io.muster.controller.dispatch;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Heartbeat;
import io.muster.proto.v1.Hello;
import io.muster.proto.v1.TaskAssignment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An agent stream over a real gRPC channel that says Hello, keeps its session alive with
 * heartbeats and records every assignment it gets, but never starts a run (an agent wedged before
 * its executors, as far as the controller can tell). Test helper.
 */
final class SilentAgent implements AutoCloseable {

    private final ManagedChannel channel;
    private final StreamObserver<AgentMessage> requests;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
    private final List<TaskAssignment> assignments = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();

    SilentAgent(int grpcPort, String hostId) {
        this.channel = NettyChannelBuilder.forTarget("127.0.0.1:" + grpcPort).usePlaintext().build();
        this.requests = AgentGatewayGrpc.newStub(channel).connect(new StreamObserver<>() {
            @Override
            public void onNext(ControllerMessage message) {
                if (message.hasTaskAssignment()) {
                    assignments.add(message.getTaskAssignment());
                }
            }

            @Override
            public void onError(Throwable error) {
            }

            @Override
            public void onCompleted() {
            }
        });
        synchronized (requests) {
            requests.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId(hostId)
                    .setAgentVersion("silent-test").setHostname(hostId).addCapabilities("exec")).build());
        }
        heartbeats.scheduleAtFixedRate(() -> {
            synchronized (requests) {
                requests.onNext(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder()
                        .setSequence(sequence.incrementAndGet()).setSentAtMs(System.currentTimeMillis())).build());
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** Assignments received so far, re-deliveries included. */
    List<TaskAssignment> assignments() {
        return List.copyOf(assignments);
    }

    long received(String runId) {
        return assignments.stream().filter(a -> a.getRunId().equals(runId)).count();
    }

    @Override
    public void close() throws InterruptedException {
        heartbeats.shutdownNow();
        synchronized (requests) {
            requests.onCompleted();
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
