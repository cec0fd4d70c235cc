package io.muster.controller.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.store.HostRepository;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Cpu;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.GetHostRequest;
import io.muster.proto.v1.Hello;
import io.muster.proto.v1.Host;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.ListHostsRequest;
import io.muster.proto.v1.ListHostsResponse;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FleetControl over gRPC against a real controller and PostgreSQL. */
class FleetControlServiceTest {

    @TempDir
    static Path temp;

    private static TestDatabase database;
    private static Controller controller;
    private static ManagedChannel channel;
    private static FleetControlGrpc.FleetControlBlockingStub fleet;

    @BeforeAll
    static void start() throws Exception {
        database = TestDatabase.create();
        controller = Controller.start(new ControllerConfig(database.url(), 0, 0, temp, List.of(), 0, "127.0.0.1",
                "fleet-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(10)));
        HostRepository hosts = controller.hosts();
        for (int i = 0; i < 7; i++) {
            String id = "fleet-host-" + i;
            done(hosts.connected(id, "web-" + i, "0.1.0", "boot-" + i));
            Inventory inventory = Inventory.newBuilder().setDigest("digest-" + i)
                    .setCpu(Cpu.newBuilder().setModel("Test CPU").setCores(4 + i).setThreads(8 + 2 * i))
                    .putFacts("hostname", text("web-" + i))
                    .putFacts("cpu.cores", Fact.newBuilder().setInteger(4 + i).build())
                    .putFacts("hw.virtual", Fact.newBuilder().setFlag(i % 2 == 0).build())
                    .build();
            done(hosts.saveInventory(id, inventory));
            done(hosts.setLabels(id, Map.of("role", i < 3 ? "web" : "db")));
        }
        channel = NettyChannelBuilder.forAddress("127.0.0.1", controller.grpcPort()).usePlaintext().build();
        Metadata bearer = new Metadata();
        bearer.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + TestTokens.admin(controller));
        fleet = FleetControlGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void listHosts_pagesInIdOrder_withoutGapsOrDuplicates() {
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ListHostsResponse page = fleet.listHosts(ListHostsRequest.newBuilder().setPageSize(3).setPageToken(token).build());
            page.getHostsList().forEach(h -> seen.add(h.getId()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("fleet-host-0", "fleet-host-1", "fleet-host-2", "fleet-host-3",
                "fleet-host-4", "fleet-host-5", "fleet-host-6");
    }

    @Test
    void listHosts_selectorOverLabelsAndFacts() {
        ListHostsResponse web = fleet.listHosts(ListHostsRequest.newBuilder().setSelector("role=web,cpu.cores>=5").build());
        assertThat(web.getHostsList()).extracting(Host::getId).containsExactly("fleet-host-1", "fleet-host-2");
        Host first = web.getHosts(0);
        assertThat(first.getLabelsMap()).containsEntry("role", "web");
        assertThat(first.getFactsMap().get("cpu.cores").getInteger()).isEqualTo(5);
        assertThat(first.getFactsMap().get("hw.virtual").getFlag()).isFalse();
        assertThat(first.getFactsMap().get("hostname").getText()).isEqualTo("web-1");
        assertThat(first.hasInventory()).isFalse();
    }

    @Test
    void listHosts_badInput_isInvalidArgumentWithTheReason() {
        assertInvalid(ListHostsRequest.newBuilder().setSelector("role in (web").build(), "selector:");
        assertInvalid(ListHostsRequest.newBuilder().setPageSize(-1).build(), "page_size must be between 1 and 1000");
        assertInvalid(ListHostsRequest.newBuilder().setPageSize(5000).build(), "page_size must be between 1 and 1000");
        assertInvalid(ListHostsRequest.newBuilder().setPageToken("not a token!").build(), "page_token:");
    }

    private static void assertInvalid(ListHostsRequest request, String reason) {
        assertThatThrownBy(() -> fleet.listHosts(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains(reason);
                });
    }

    @Test
    void getHost_withInventory_andNotFoundForUnknownIds() {
        Host host = fleet.getHost(GetHostRequest.newBuilder().setHostId("fleet-host-4").build());
        assertThat(host.getHostname()).isEqualTo("web-4");
        assertThat(host.getInventory().getCpu().getCores()).isEqualTo(8);
        assertThat(host.getInventory().getDigest()).isEqualTo("digest-4");
        assertThat(host.getState()).isEqualTo("online");
        assertThat(host.getFirstSeenMs()).isPositive();

        assertThatThrownBy(() -> fleet.getHost(GetHostRequest.newBuilder().setHostId("no-such-host").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("no-such-host");
                });
        assertThatThrownBy(() -> fleet.getHost(GetHostRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void connectedHost_showsTheMemberItIsConnectedTo() throws Exception {
        var responses = new java.util.concurrent.LinkedBlockingQueue<ControllerMessage>();
        var requests = AgentGatewayGrpc.newStub(channel).connect(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(ControllerMessage value) {
                responses.add(value);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        try {
            requests.onNext(AgentMessage.newBuilder().setHello(Hello.newBuilder().setHostId("fleet-host-6")
                    .setInventoryDigest("digest-6")).build());
            ControllerMessage welcome = responses.poll(30, TimeUnit.SECONDS);
            assertThat(welcome).isNotNull();
            assertThat(welcome.getWelcome().getInventoryRequired()).isFalse();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    fleet.getHost(GetHostRequest.newBuilder().setHostId("fleet-host-6").build()).getConnectedTo())
                    .isEqualTo(controller.memberId()));
            assertThat(fleet.getHost(GetHostRequest.newBuilder().setHostId("fleet-host-5").build()).getConnectedTo())
                    .isEmpty();
        } finally {
            requests.onCompleted();
        }
    }

    private static Fact text(String value) {
        return Fact.newBuilder().setText(value).build();
    }

    private static <T> T done(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
