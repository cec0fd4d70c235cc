package io.muster.controller.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.muster.controller.InterfaceFixture;
import io.muster.controller.auth.FleetAuthorization;
import io.muster.controller.store.Await;
import io.muster.proto.v1.CancelTaskRequest;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.Schedule;
import io.muster.proto.v1.Rollout;
import io.muster.proto.v1.ListSchedulesRequest;
import io.muster.proto.v1.ListRolloutsRequest;
import io.muster.proto.v1.GetScheduleRequest;
import io.muster.proto.v1.GetRolloutRequest;
import io.muster.proto.v1.GetHostRequest;
import io.muster.proto.v1.Host;
import io.muster.proto.v1.HostChange;
import io.muster.proto.v1.ListHostsRequest;
import io.muster.proto.v1.SubmitRolloutRequest;
import io.muster.proto.v1.SubmitTaskRequest;
import io.muster.proto.v1.WatchRolloutRequest;
import io.muster.agent.simulation.FleetSimulator;
import io.muster.agent.simulation.SimulatorConfig;
import io.muster.controller.access.Role;
import io.muster.proto.v1.SubmitTaskResponse;
import io.muster.proto.v1.TaskProgress;
import io.muster.proto.v1.WatchHostsRequest;
import io.muster.proto.v1.WatchTaskRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FleetControl's watch, submit, progress and cancel over real gRPC on loopback, behind the auth
 * package's interceptor (tokens in metadata, scopes), on a real controller's hosts and tasks.
 */
class FleetControlApiTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    static Path temp;

    private static final Duration WATCH_INTERVAL = Duration.ofMillis(50);
    private static InterfaceFixture fixture;
    private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private static Server server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws IOException {
        fixture = new InterfaceFixture(temp.resolve("controller"));
        FleetControlApi api = new FleetControlApi(fixture.vertx, fixture.controller.hosts(),
                InterfaceFixture.aloneWithoutSessions(fixture.controller.memberId()), fixture.controller.tasks(),
                fixture.controller.rollouts(), fixture.controller.schedules(), registry, WATCH_INTERVAL);
        server = NettyServerBuilder.forPort(0)
                .addService(ServerInterceptors.intercept(api, new FleetAuthorization(fixture.tokens, fixture.heldTokens, fixture.access, fixture.audit, fixture.unauthenticated)))
                .build()
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        fixture.close();
    }

    private static FleetControlGrpc.FleetControlBlockingStub blocking(String token) {
        return FleetControlGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static FleetControlGrpc.FleetControlStub async(String token) {
        return FleetControlGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)));
    }

    private static Metadata bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return headers;
    }

    private static SubmitTaskRequest exec(String... hostIds) {
        Struct spec = Struct.newBuilder().putFields("command", Value.newBuilder().setListValue(ListValue.newBuilder()
                .addValues(Value.newBuilder().setStringValue("true"))).build()).build();
        return SubmitTaskRequest.newBuilder().addAllHostIds(List.of(hostIds)).setKind("exec").setSpec(spec).setTimeoutSeconds(60).build();
    }

    /** Collects a stream's messages and its end. */
    private static final class Collector<T> implements StreamObserver<T> {
        final List<T> messages = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile boolean completed;

        @Override
        public void onNext(T value) {
            messages.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }

    @Test
    void watchHosts_aTokenHoldsAtMostEightAtOnce_theNinthIsRefusedUntilOneCloses() {
        String token = Await.result(fixture.tokens.create("watcher", io.muster.controller.access.Role.VIEWER, null, null, "test"))
                .token();
        List<io.grpc.Context.CancellableContext> open = new ArrayList<>();
        List<Collector<HostChange>> watches = new ArrayList<>();
        for (int i = 0; i < io.muster.controller.auth.HeldTokens.MAX_STREAMS_PER_TOKEN; i++) {
            Collector<HostChange> watch = new Collector<>();
            io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
            context.run(() -> async(token).watchHosts(WatchHostsRequest.getDefaultInstance(), watch));
            open.add(context);
            watches.add(watch);
        }
        await().atMost(DEADLINE).until(() -> watches.stream().allMatch(w -> !w.messages.isEmpty()));
        assertThat(watches).allMatch(w -> w.error.get() == null);

        Collector<HostChange> ninth = new Collector<>();
        async(token).watchHosts(WatchHostsRequest.getDefaultInstance(), ninth);
        await().atMost(DEADLINE).until(() -> ninth.error.get() != null);
        io.grpc.Status refused = io.grpc.Status.fromThrowable(ninth.error.get());
        assertThat(refused.getCode()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getDescription()).contains("already has 8");
        // Another token is not held back by this one's streams.
        Collector<HostChange> other = new Collector<>();
        io.grpc.Context.CancellableContext otherContext = io.grpc.Context.current().withCancellation();
        otherContext.run(() -> async(fixture.adminToken).watchHosts(WatchHostsRequest.getDefaultInstance(), other));
        await().atMost(DEADLINE).until(() -> !other.messages.isEmpty());

        String tokenId = token.split("_")[1];
        assertThat(fixture.heldTokens.held(tokenId)).isEqualTo(io.muster.controller.auth.HeldTokens.MAX_STREAMS_PER_TOKEN);
        open.get(0).cancel(null);
        Collector<HostChange> again = new Collector<>();
        io.grpc.Context.CancellableContext againContext = io.grpc.Context.current().withCancellation();
        await().atMost(DEADLINE).until(() -> fixture.heldTokens.held(tokenId) == io.muster.controller.auth.HeldTokens.MAX_STREAMS_PER_TOKEN - 1);
        againContext.run(() -> async(token).watchHosts(WatchHostsRequest.getDefaultInstance(), again));
        await().atMost(DEADLINE).until(() -> !again.messages.isEmpty() || again.error.get() != null);
        assertThat(again.error.get()).isNull();
        open.forEach(c -> c.cancel(null));
        otherContext.cancel(null);
        againContext.cancel(null);
    }

    @Test
    void watchHosts_manyWatchers_shareOneReadingOfTheHostsPerInterval_eachGetsItsChanges() throws Exception {
        String token = Await.result(fixture.tokens.create("shared feed", io.muster.controller.access.Role.VIEWER, null, null, "test"))
                .token();
        int watchers = 6;
        List<io.grpc.Context.CancellableContext> open = new ArrayList<>();
        List<Collector<HostChange>> watches = new ArrayList<>();
        try {
            for (int i = 0; i < watchers; i++) {
                Collector<HostChange> watch = new Collector<>();
                io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
                context.run(() -> async(token).watchHosts(WatchHostsRequest.newBuilder().setSelector("muster.io/team=payments").build(), watch));
                open.add(context);
                watches.add(watch);
            }
            await().atMost(DEADLINE).until(() -> watches.stream().allMatch(w -> w.messages.size() >= 2));

            // Readings are at least one interval apart however many watch: N per interval would be N times this.
            double before = readings();
            long started = System.nanoTime();
            await().atMost(DEADLINE).until(() -> readings() >= before + 10);
            double read = readings() - before;
            long intervals = Duration.ofNanos(System.nanoTime() - started).toMillis() / WATCH_INTERVAL.toMillis();
            assertThat(read).as("readings during %d intervals with %d watchers", intervals, watchers).isLessThanOrEqualTo(intervals + 1);

            // Every watcher still gets its own changes from the one reading.
            Await.result(fixture.controller.hosts().setLabels("h-0", Map.of("muster.io/team", "payments", "feed", "shared")));
            await().atMost(DEADLINE).until(() -> watches.stream().allMatch(w -> w.messages.stream()
                    .anyMatch(c -> c.getChange().equals("labels") && "shared".equals(c.getHost().getLabelsMap().get("feed")))));
            assertThat(watches).allMatch(w -> w.error.get() == null);
        } finally {
            open.forEach(c -> c.cancel(null));
            Await.result(fixture.controller.hosts().setLabels("h-0", Map.of("muster.io/team", "payments")));
        }
        // The counter is on a member's /metrics.
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fixture.controller.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("muster_watch_hosts_readings_total");
    }

    private static double readings() {
        return registry.get("muster_watch_hosts_readings").counter().count();
    }

    @Test
    void watchHosts_sendsTheSnapshotThenOneChangePerChangedAspect() {
        // The hosts have no agents: the member's liveness sweep takes them offline a few seconds
        // after the fixture connected them, so connect them again to watch them go offline here.
        for (String id : List.of("h-0", "h-1")) {
            Await.result(fixture.controller.hosts().connected(id, null, "0.1.0", "boot"));
        }
        Collector<HostChange> watch = new Collector<>();
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        context.run(() -> async(fixture.adminToken).watchHosts(WatchHostsRequest.newBuilder().setSelector("muster.io/team=payments").build(), watch));
        try {
            await().atMost(DEADLINE).until(() -> watch.messages.size() >= 2);
            assertThat(watch.messages).extracting(c -> c.getHost().getId()).containsExactlyInAnyOrder("h-0", "h-1");
            assertThat(watch.messages).allMatch(c -> c.getInitial() && c.getChange().equals("snapshot"));
            assertThat(watch.messages.get(0).getHost().getLabelsMap()).containsEntry("muster.io/team", "payments");

            Await.result(fixture.controller.hosts().setLabels("h-1", Map.of("muster.io/team", "payments", "tier", "gold")));
            await().atMost(DEADLINE).until(() -> watch.messages.size() >= 3);
            HostChange labels = watch.messages.get(2);
            assertThat(labels.getInitial()).isFalse();
            assertThat(labels.getChange()).isEqualTo("labels");
            assertThat(labels.getHost().getLabelsMap()).containsEntry("tier", "gold");

            Await.result(fixture.controller.hosts().markStaleOffline(Duration.ZERO));
            await().atMost(DEADLINE).until(() -> watch.messages.stream().filter(c -> c.getChange().equals("offline")).count() == 2);
            assertThat(watch.error.get()).isNull();
        } finally {
            context.cancel(null);
        }
    }

    /** Finding 10b: a host that leaves the caller's scope is named once by id, never described again. */
    @Test
    void watchHosts_hostLeavingTheScope_isOneLeftNoticeWithItsIdOnly_thenNothing() {
        Collector<HostChange> watch = new Collector<>();
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        context.run(() -> async(fixture.paymentsToken).watchHosts(WatchHostsRequest.getDefaultInstance(), watch));
        try {
            await().atMost(DEADLINE).until(() -> watch.messages.size() >= 2);
            assertThat(watch.messages).extracting(c -> c.getHost().getId()).containsExactlyInAnyOrder("h-0", "h-1");

            Await.result(fixture.controller.hosts().setLabels("h-1", Map.of("muster.io/team", "search", "owner", "bob")));
            await().atMost(DEADLINE).until(() -> watch.messages.stream().anyMatch(c -> c.getHost().getId().equals("h-1")
                    && !c.getInitial()));
            List<HostChange> aboutH1 = watch.messages.stream()
                    .filter(c -> c.getHost().getId().equals("h-1") && !c.getInitial()).toList();
            assertThat(aboutH1).hasSize(1);
            assertThat(aboutH1.get(0).getChange()).isEqualTo("left");
            assertThat(aboutH1.get(0).getHost()).isEqualTo(io.muster.proto.v1.Host.newBuilder().setId("h-1").build());

            // Outside the scope it changes again: the watcher hears nothing of it.
            Await.result(fixture.controller.hosts().setLabels("h-1", Map.of("muster.io/team", "search", "owner", "eve")));
            int before = watch.messages.size();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> watch.messages.stream().skip(before).noneMatch(c -> c.getHost().getId().equals("h-1")));
            assertThat(watch.error.get()).isNull();
        } finally {
            context.cancel(null);
            Await.result(fixture.controller.hosts().setLabels("h-1", Map.of("muster.io/team", "payments")));
        }
    }

    @Test
    void submitTask_watchTaskFollowsProgress_cancelEndsTheWatchWithDone() {
        SubmitTaskResponse submitted = blocking(fixture.adminToken).submitTask(exec("h-2", "h-3"));
        assertThat(submitted.getTotal()).isEqualTo(2);
        UUID taskId = UUID.fromString(submitted.getTaskId());

        Collector<TaskProgress> progress = new Collector<>();
        async(fixture.adminToken).watchTask(WatchTaskRequest.newBuilder().setTaskId(taskId.toString()).build(), progress);
        await().atMost(DEADLINE).until(() -> !progress.messages.isEmpty());
        TaskProgress first = progress.messages.get(0);
        assertThat(first.getTotal()).isEqualTo(2);
        assertThat(first.getPending()).isEqualTo(2);
        assertThat(first.getState()).isEqualTo("pending");
        assertThat(first.getDone()).isFalse();

        TaskProgress cancelled = blocking(fixture.adminToken).cancelTask(CancelTaskRequest.newBuilder().setTaskId(taskId.toString()).build());
        assertThat(cancelled.getCancelled()).isEqualTo(2);
        assertThat(cancelled.getState()).isEqualTo("cancelled");
        assertThat(cancelled.getDone()).isTrue();

        await().atMost(DEADLINE).until(() -> progress.completed);
        TaskProgress last = progress.messages.get(progress.messages.size() - 1);
        assertThat(last.getDone()).isTrue();
        assertThat(last.getCancelled()).isEqualTo(2);
        assertThat(progress.error.get()).isNull();
    }

    @Test
    void badInput_answersInvalidArgumentOrNotFound_withTheReason() {
        FleetControlGrpc.FleetControlBlockingStub admin = blocking(fixture.adminToken);
        SubmitTaskRequest both = exec("h-0").toBuilder().setSelector("muster.io/team=search").build();
        assertThatThrownBy(() -> admin.submitTask(both)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("exactly one of selector or host_ids");
        });
        assertThatThrownBy(() -> admin.submitTask(exec("h-0").toBuilder().setKind("teleport").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).contains("unknown kind"));
        assertThatThrownBy(() -> admin.submitTask(exec("h-0").toBuilder().clearHostIds().setSelector("muster.io/team=nobody").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> admin.cancelTask(CancelTaskRequest.newBuilder().setTaskId(UUID.randomUUID().toString()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> admin.cancelTask(CancelTaskRequest.newBuilder().setTaskId("nope").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> admin.watchTask(WatchTaskRequest.newBuilder().setTaskId(UUID.randomUUID().toString()).build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> admin.watchHosts(WatchHostsRequest.newBuilder().setSelector("team=(").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThatThrownBy(() -> FleetControlGrpc.newBlockingStub(channel).listHosts(ListHostsRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void rolloutsAndSchedules_listedAndReadByAdmin_badIdsAndPagesRefusedWithTheReason_scopedTokenDenied() {
        io.vertx.core.json.JsonObject task = new io.vertx.core.json.JsonObject()
                .put("target", new io.vertx.core.json.JsonObject().put("selector", "muster.io/team=search")).put("kind", "exec")
                .put("spec", new io.vertx.core.json.JsonObject().put("command", new io.vertx.core.json.JsonArray().add("true")));
        String rollout = Await.result(fixture.controller.rollouts().create(fixture.controller.rollouts().parser()
                .parse(task.copy().put("strategy", new io.vertx.core.json.JsonObject().put("window", 1))))).getString("id");
        String schedule = Await.result(fixture.controller.schedules().create(new io.vertx.core.json.JsonObject()
                .put("name", "grpc-nightly").put("cron", "0 2 * * *").put("timezone", "Europe/London").put("task", task), null))
                .getString("id");
        FleetControlGrpc.FleetControlBlockingStub admin = blocking(fixture.adminToken);

        Rollout one = admin.getRollout(GetRolloutRequest.newBuilder().setRolloutId(rollout).build());
        assertThat(one.getTotal()).isEqualTo(2);
        assertThat(one.getState()).isIn("running", "halted");
        assertThat(one.getView().getFieldsMap().get("failureBudget").getStructValue().getFieldsMap().get("allowed").getNumberValue())
                .isZero();
        assertThat(admin.listRollouts(ListRolloutsRequest.newBuilder().setPageSize(1).build()).getRolloutsList())
                .extracting(Rollout::getId).containsExactly(rollout);
        Schedule got = admin.getSchedule(GetScheduleRequest.newBuilder().setScheduleId(schedule).build());
        assertThat(got.getName()).isEqualTo("grpc-nightly");
        assertThat(got.getTimezone()).isEqualTo("Europe/London");
        assertThat(got.getNextFiringsList()).hasSize(5);
        assertThat(got.getView().getFieldsMap()).containsKeys("firings", "task", "concurrencyPolicy");
        assertThat(admin.listSchedules(ListSchedulesRequest.getDefaultInstance()).getSchedulesList())
                .extracting(Schedule::getId).contains(schedule);

        assertThatThrownBy(() -> admin.getRollout(GetRolloutRequest.newBuilder().setRolloutId(UUID.randomUUID().toString()).build()))
                .hasMessageContaining("NOT_FOUND").hasMessageContaining("no rollout with id");
        assertThatThrownBy(() -> admin.getSchedule(GetScheduleRequest.newBuilder().setScheduleId("nope").build()))
                .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("schedule_id");
        assertThatThrownBy(() -> admin.listSchedules(ListSchedulesRequest.newBuilder().setPageSize(5000).build()))
                .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("page_size");
        assertThatThrownBy(() -> admin.listRollouts(ListRolloutsRequest.newBuilder().setPageToken("garbage").build()))
                .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("page_token");
        assertThatThrownBy(() -> blocking(fixture.paymentsToken).listRollouts(ListRolloutsRequest.getDefaultInstance()))
                .hasMessageContaining("PERMISSION_DENIED");
        assertThatThrownBy(() -> blocking(fixture.paymentsToken).getSchedule(GetScheduleRequest.newBuilder()
                .setScheduleId(schedule).build())).hasMessageContaining("PERMISSION_DENIED");
        Await.result(fixture.controller.rollouts().abort(UUID.fromString(rollout)));
    }

    private static SubmitRolloutRequest rollout(Struct strategy, List<String> hostIds) {
        return SubmitRolloutRequest.newBuilder().addAllHostIds(hostIds).setKind("exec").setSpec(exec().getSpec())
                .setTimeoutSeconds(60).setStrategy(strategy).build();
    }

    private static Struct strategy(String field, Value value) {
        return Struct.newBuilder().putFields(field, value).build();
    }

    private static Value list(Value... values) {
        return Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(List.of(values))).build();
    }

    private static Value number(double n) {
        return Value.newBuilder().setNumberValue(n).build();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    @Test
    void submitRollout_overSimulatedAgents_watchedToSucceeded() {
        try (FleetSimulator simulator = FleetSimulator.start(new SimulatorConfig(
                List.of("127.0.0.1:" + fixture.controller.grpcPort()), 3, 5, 0, null, 0, Duration.ofMillis(20), "gro-"))) {
            await().atMost(DEADLINE).until(() -> simulator.connectedCount() == 3 && fixture.controller.sessions().size() == 3);
            // Waves [1, 2]: whole numbers arrive as doubles in a Struct and must still read as counts.
            Rollout submitted = blocking(fixture.adminToken).submitRollout(
                    rollout(strategy("waves", list(number(1), number(2))), simulator.hostIds()));
            assertThat(submitted.getTotal()).isEqualTo(3);
            assertThat(submitted.getState()).isEqualTo("running");

            Collector<Rollout> watch = new Collector<>();
            async(fixture.adminToken).watchRollout(WatchRolloutRequest.newBuilder().setRolloutId(submitted.getId()).build(), watch);
            await().atMost(DEADLINE).until(() -> watch.completed || watch.error.get() != null);
            assertThat(watch.error.get()).isNull();
            Rollout last = watch.messages.get(watch.messages.size() - 1);
            assertThat(last.getState()).isEqualTo("succeeded");
            assertThat(last.getView().getFieldsMap().get("counts").getStructValue().getFieldsMap().get("succeeded").getNumberValue())
                    .isEqualTo(3);
            assertThat(watch.messages).extracting(Rollout::getId).containsOnly(submitted.getId());
            assertThat(simulator.runsExecutedMoreThanOnce()).isEmpty();
        }
    }

    @Test
    void submitRollout_badInputNamesTheField_viewerAndScopedTokensRefused_watchOfUnknownIsNotFound() {
        FleetControlGrpc.FleetControlBlockingStub admin = blocking(fixture.adminToken);
        List<String> hosts = List.of("h-2", "h-3");
        assertThatThrownBy(() -> admin.submitRollout(rollout(strategy("waves", list()), hosts)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("strategy.waves:");
                });
        assertThatThrownBy(() -> admin.submitRollout(rollout(strategy("window", text("150%")), hosts)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("strategy.window:");
                });
        assertThatThrownBy(() -> admin.submitRollout(rollout(strategy("batch", number(3)), hosts)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .startsWith("strategy.batch:").contains("unknown strategy field"));
        assertThatThrownBy(() -> admin.submitRollout(rollout(strategy("window", number(1)), hosts).toBuilder().setKind("teleport").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("kind:");
                });
        assertThatThrownBy(() -> admin.submitRollout(rollout(strategy("window", number(1)), hosts).toBuilder().setSelector("a=b").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .startsWith("target:").contains("exactly one of selector or host_ids"));

        String viewer = Await.result(fixture.tokens.create("rollout-viewer", Role.VIEWER, null, null, "test")).token();
        assertThatThrownBy(() -> blocking(viewer).submitRollout(rollout(strategy("window", number(1)), hosts)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> blocking(fixture.paymentsToken).submitRollout(rollout(strategy("window", number(1)), List.of("h-0"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> admin.watchRollout(WatchRolloutRequest.newBuilder().setRolloutId(UUID.randomUUID().toString()).build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> admin.watchRollout(WatchRolloutRequest.newBuilder().setRolloutId("nope").build()).next())
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).contains("rollout_id"));
    }

    @Test
    void watchRollout_endsUnauthenticatedOnceItsTokenIsRevoked() {
        // h-2 and h-3 have no session here: the rollout stays running, so only the revocation can end the watch.
        Rollout running = blocking(fixture.adminToken).submitRollout(rollout(strategy("window", number(1)), List.of("h-2", "h-3")));
        io.muster.controller.auth.TokenSecret viewer = Await.result(fixture.tokens.create("rollout-watcher", Role.VIEWER, null, null, "test"));
        Collector<Rollout> watch = new Collector<>();
        async(viewer.token()).watchRollout(WatchRolloutRequest.newBuilder().setRolloutId(running.getId()).build(), watch);
        await().atMost(DEADLINE).until(() -> !watch.messages.isEmpty());
        assertThat(watch.messages.get(0).getState()).isEqualTo("running");

        Await.result(fixture.tokens.revoke(viewer.id()));
        await().atMost(DEADLINE).until(() -> watch.error.get() != null);
        assertThat(Status.fromThrowable(watch.error.get()).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(watch.completed).isFalse();
        Await.result(fixture.controller.rollouts().abort(UUID.fromString(running.getId())));
    }

    @Test
    void scopedToken_seesAndActsOnlyWithinItsScope() {
        FleetControlGrpc.FleetControlBlockingStub payments = blocking(fixture.paymentsToken);
        assertThat(payments.listHosts(ListHostsRequest.getDefaultInstance()).getHostsList()).extracting(Host::getId)
                .containsExactly("h-0", "h-1");
        assertThatThrownBy(() -> payments.getHost(GetHostRequest.newBuilder().setHostId("h-2").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        assertThatThrownBy(() -> payments.submitTask(exec("h-0", "h-2")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

        var snapshot = payments.watchHosts(WatchHostsRequest.getDefaultInstance());
        assertThat(List.of(snapshot.next().getHost().getId(), snapshot.next().getHost().getId())).containsExactlyInAnyOrder("h-0", "h-1");

        SubmitTaskResponse own = payments.submitTask(exec("h-0"));
        TaskProgress watched = payments.watchTask(WatchTaskRequest.newBuilder().setTaskId(own.getTaskId()).build()).next();
        assertThat(watched.getTotal()).isEqualTo(1);
        SubmitTaskResponse foreign = blocking(fixture.adminToken).submitTask(exec("h-3"));
        assertThatThrownBy(() -> payments.cancelTask(CancelTaskRequest.newBuilder().setTaskId(foreign.getTaskId()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
}
