package io.muster.controller.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.muster.proto.refusal.RetryAfter;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.GetHostRequest;
import io.muster.proto.v1.Host;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A member's gRPC server binds before its services exist: until the gate opens, callers are told to come back. */
class ServiceGateTest {

    private final ServiceGate gate = new ServiceGate(Clock.systemUTC());
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void bind() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).fallbackHandlerRegistry(gate)
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void closed_refusesEveryCallAsStartingWithARetryAfter() {
        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                () -> FleetControlGrpc.newBlockingStub(channel).getHost(GetHostRequest.newBuilder().setHostId("h-1").build()));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.getStatus().getDescription()).isEqualTo("member starting");
        assertThat(RetryAfter.of(refused)).isPresent();
    }

    @Test
    void open_servesTheServicesAndNothingElse() {
        gate.open(List.of(new FleetControlGrpc.FleetControlImplBase() {
            @Override
            public void getHost(GetHostRequest request, StreamObserver<Host> responses) {
                responses.onNext(Host.newBuilder().setId(request.getHostId()).build());
                responses.onCompleted();
            }
        }.bindService()));

        Host host = FleetControlGrpc.newBlockingStub(channel).getHost(GetHostRequest.newBuilder().setHostId("h-1").build());

        assertThat(host.getId()).isEqualTo("h-1");
        assertThat(server.getServices()).extracting(service -> service.getServiceDescriptor().getName())
                .containsExactly(FleetControlGrpc.SERVICE_NAME);
    }
}
