package io.muster.bench.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MalformedGrpcTest {

    /** A plaintext server with the agent gateway's Connect method (1 MiB inbound limit, as a member's) that answers nothing itself. */
    @Test
    void attack_everyKindGetsTheServersAnswer_countedByKindAndOutcome() throws Exception {
        ServerServiceDefinition gateway = ServerServiceDefinition.builder(AgentGatewayGrpc.SERVICE_NAME)
                .addMethod(AgentGatewayGrpc.getConnectMethod(), ServerCalls.asyncBidiStreamingCall(
                        (StreamObserver<ControllerMessage> out) -> new StreamObserver<AgentMessage>() {
                            @Override
                            public void onNext(AgentMessage message) {
                            }

                            @Override
                            public void onError(Throwable t) {
                            }

                            @Override
                            public void onCompleted() {
                                out.onCompleted();
                            }
                        }))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).maxInboundMessageSize(1 << 20)
                .addService(gateway).build().start();
        try {
            JsonObject figures = new MalformedGrpc("127.0.0.1", server.getPort(),
                    AgentGatewayGrpc.getConnectMethod().getFullMethodName(), Duration.ofSeconds(20))
                    .attack(8, Duration.ofMillis(400), 4);

            JsonObject outcomes = figures.getJsonObject("outcomes");
            assertThat(figures.getInteger("streams")).isEqualTo(8);
            assertThat(outcomes.fieldNames()).anyMatch(key -> key.startsWith("malformed protobuf: status "));
            assertThat(outcomes.getInteger("truncated message, end of stream: status INTERNAL")).isEqualTo(2);
            assertThat(outcomes.getInteger("oversized message: status RESOURCE_EXHAUSTED")).isEqualTo(2);
            assertThat(outcomes.getInteger("truncated message, connection closed: connection closed")).isEqualTo(2);
            assertThat(outcomes.stream().mapToInt(e -> (Integer) e.getValue()).sum()).isEqualTo(8);
            assertThat(figures.getJsonObject("reasons").getString("oversized message: status RESOURCE_EXHAUSTED")).isNotBlank();
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
