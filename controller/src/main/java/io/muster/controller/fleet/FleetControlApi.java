package io.muster.controller.fleet;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.auth.FleetAuthorization;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.store.HostRepository;
import io.muster.controller.task.TaskService;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.schedule.ScheduleService;
import io.muster.proto.v1.CancelTaskRequest;
import io.muster.proto.v1.GetRolloutRequest;
import io.muster.proto.v1.GetScheduleRequest;
import io.muster.proto.v1.ListRolloutsRequest;
import io.muster.proto.v1.ListRolloutsResponse;
import io.muster.proto.v1.ListSchedulesRequest;
import io.muster.proto.v1.ListSchedulesResponse;
import io.muster.proto.v1.Rollout;
import io.muster.proto.v1.Schedule;
import io.muster.proto.v1.FleetControlGrpc;
import io.muster.proto.v1.GetHostRequest;
import io.muster.proto.v1.Host;
import io.muster.proto.v1.HostChange;
import io.muster.proto.v1.ListHostsRequest;
import io.muster.proto.v1.ListHostsResponse;
import io.muster.proto.v1.SubmitRolloutRequest;
import io.muster.proto.v1.SubmitTaskRequest;
import io.muster.proto.v1.WatchRolloutRequest;
import io.muster.proto.v1.SubmitTaskResponse;
import io.muster.proto.v1.TaskProgress;
import io.muster.proto.v1.WatchHostsRequest;
import io.muster.proto.v1.WatchTaskRequest;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The whole FleetControl service: ListHosts and GetHost answered by {@link FleetControlService},
 * WatchHosts, SubmitTask, WatchTask and CancelTask by this package's watches and the task service,
 * ListRollouts, GetRollout, ListSchedules and GetSchedule by {@link SchedulerQueries}, SubmitRollout
 * and WatchRollout by {@link RolloutControl}.
 * Each method's rule is applied before a call reaches here (the auth package's interceptor, with
 * the rules of {@code FleetAuthorization.RULES}); the listings narrow their own selector to the
 * caller's scope.
 *
 * <p>Non-blocking: unary calls complete from futures; streams are driven by Vert.x timers and
 * written under gRPC flow control ({@link StreamOutbox}); every WatchHosts stream of the member
 * shares one {@link HostFeed}.
 */
public final class FleetControlApi extends FleetControlGrpc.FleetControlImplBase {

    public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofMillis(500);

    private final FleetControlService hostQueries;
    private final TaskService tasks;
    private final TaskControl taskControl;
    private final long intervalMs;
    private final SchedulerQueries scheduler;
    private final RolloutControl rolloutControl;
    private final HostFeed hostFeed;

    public FleetControlApi(Vertx vertx, HostRepository hosts, ClusterView cluster, TaskService tasks, RolloutService rollouts,
                           ScheduleService schedules, MeterRegistry registry) {
        this(vertx, hosts, cluster, tasks, rollouts, schedules, registry, DEFAULT_WATCH_INTERVAL);
    }

    /**
     * @param registry      where the host feed counts its readings
     * @param watchInterval how often watches look for changes
     */
    public FleetControlApi(Vertx vertx, HostRepository hosts, ClusterView cluster, TaskService tasks, RolloutService rollouts,
                           ScheduleService schedules, MeterRegistry registry, Duration watchInterval) {
        this.scheduler = new SchedulerQueries(rollouts, schedules);
        this.hostQueries = new FleetControlService(hosts, cluster);
        this.tasks = tasks;
        this.taskControl = new TaskControl(tasks);
        this.intervalMs = Math.max(10, watchInterval.toMillis());
        this.rolloutControl = new RolloutControl(vertx, rollouts, intervalMs);
        this.hostFeed = new HostFeed(vertx, hosts, cluster, intervalMs, registry);
    }

    @Override
    public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> response) {
        hostQueries.listHosts(request, response);
    }

    @Override
    public void getHost(GetHostRequest request, StreamObserver<Host> response) {
        hostQueries.getHost(request, response);
    }

    @Override
    public void watchHosts(WatchHostsRequest request, StreamObserver<HostChange> response) {
        Selector selector;
        try {
            selector = request.getSelector().isBlank() ? null : Selector.parse(request.getSelector());
        } catch (SelectorSyntaxException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("selector: " + e.getMessage()).asRuntimeException());
            return;
        }
        Principal caller = FleetAuthorization.PRINCIPAL.get();
        if (caller == null) {
            response.onError(Status.UNAUTHENTICATED.withDescription("WatchHosts needs an API token").asRuntimeException());
            return;
        }
        selector = Access.hostSelector(caller, selector);
        ServerCallStreamObserver<HostChange> call = (ServerCallStreamObserver<HostChange>) response;
        StreamOutbox<HostChange> out = new StreamOutbox<>(call);
        new HostWatch(hostFeed, selector, caller.scope(), out).start();
    }

    @Override
    public void submitTask(SubmitTaskRequest request, StreamObserver<SubmitTaskResponse> response) {
        taskControl.submit(request, response);
    }

    @Override
    public void watchTask(WatchTaskRequest request, StreamObserver<TaskProgress> response) {
        Optional<UUID> id = TaskControl.taskId(request.getTaskId(), response);
        if (id.isEmpty()) {
            return;
        }
        ServerCallStreamObserver<TaskProgress> call = (ServerCallStreamObserver<TaskProgress>) response;
        new TaskWatch(tasks, id.get(), new StreamOutbox<>(call)).start();
    }

    @Override
    public void cancelTask(CancelTaskRequest request, StreamObserver<TaskProgress> response) {
        taskControl.cancel(request, response);
    }

    @Override
    public void listRollouts(ListRolloutsRequest request, StreamObserver<ListRolloutsResponse> response) {
        scheduler.listRollouts(request, response);
    }

    @Override
    public void getRollout(GetRolloutRequest request, StreamObserver<Rollout> response) {
        scheduler.getRollout(request, response);
    }

    @Override
    public void submitRollout(SubmitRolloutRequest request, StreamObserver<Rollout> response) {
        rolloutControl.submit(request, response);
    }

    @Override
    public void watchRollout(WatchRolloutRequest request, StreamObserver<Rollout> response) {
        rolloutControl.watch(request, response);
    }

    @Override
    public void listSchedules(ListSchedulesRequest request, StreamObserver<ListSchedulesResponse> response) {
        scheduler.listSchedules(request, response);
    }

    @Override
    public void getSchedule(GetScheduleRequest request, StreamObserver<Schedule> response) {
        scheduler.getSchedule(request, response);
    }
}
