package io.muster.controller.dispatch;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.controller.cluster.Ownership;
import io.muster.controller.cluster.SessionRules;
import io.muster.controller.gateway.AgentMessageHandler;
import io.muster.controller.gateway.AgentSession;
import io.muster.controller.sealing.SealingKey;
import io.muster.controller.store.HostRepository;
import io.muster.controller.task.RunDispatch;
import io.muster.controller.task.RunRef;
import io.muster.controller.task.RunResultBatcher;
import io.muster.controller.task.RunSweeper;
import io.muster.controller.task.TaskHeader;
import io.muster.controller.task.TaskProgressFeed;
import io.muster.controller.task.TaskRepository;
import io.muster.controller.task.TaskService;
import io.muster.proto.v1.AgentMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;

/**
 * The task side of one controller member, assembled: repository, result batcher, dispatch through
 * owners, open runs on connect, the sweeper, and the {@link TaskService} the API uses. It is the
 * gateway's {@link AgentMessageHandler}.
 *
 * <p>Two steps, because the gateway and the API are built before the member joins the cluster:
 * construct it early (results can be written, tasks accepted), then {@link #attach} it to the
 * Hazelcast member before the gateway admits agents. Until then dispatch does nothing (no agent
 * is connected; hosts load their open runs when they connect). Thread-safe.
 */
public final class TaskEngine implements AgentMessageHandler, RunDispatch {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TaskEngine.class);

    private final Vertx vertx;
    private final TaskRepository repository;
    private final RunResultBatcher results;
    private final HostRepository hosts;
    private final ConnectedAgents agents = new ConnectedAgents();
    private final TaskService service;
    private final RunSweeper.Settings sweep;
    private volatile ClusterDispatch dispatch;
    private volatile AgentTaskHandler handler;
    private RunSweeper sweeper;
    private PendingRedelivery redelivery;

    /** @param key seals task secrets in the database (see {@link TaskRepository}) */
    public TaskEngine(Vertx vertx, Pool pool, SealingKey key, HostRepository hosts, MeterRegistry registry, String memberId,
                      RunSweeper.Settings sweep) {
        this.vertx = vertx;
        this.hosts = hosts;
        this.sweep = sweep;
        this.repository = new TaskRepository(pool, key);
        this.results = new RunResultBatcher(vertx, pool, registry);
        TaskProgressFeed feed = new TaskProgressFeed(vertx, repository);
        this.results.onCommitted(feed::changed);
        this.service = new TaskService(repository, this, memberId, feed);
        Gauge.builder("muster.tasks.agents", agents, ConnectedAgents::size)
                .description("agent streams reachable for task dispatch on this member").register(registry);
    }

    /** Joins dispatch to the cluster and starts the sweeper; call once, before agents are admitted. */
    public synchronized void attach(HazelcastInstance hazelcast, Ownership ownership) {
        LocalDelivery local = new LocalDelivery(vertx, agents, ownership, (runIds, reason) ->
                repository.failUnrunnable(runIds, reason).onFailure(e ->
                        // Left pending: the never-started sweep ends them after their timeout.
                        LOG.warn("could not fail {} unrunnable runs: {}", runIds.size(), e.toString())));
        OpenRunLoader loader = new OpenRunLoader(vertx, repository, agents, local);
        this.handler = new AgentTaskHandler(agents, loader, results, hosts);
        this.dispatch = new ClusterDispatch(hazelcast, ownership, local, repository);
        this.sweeper = new RunSweeper(vertx, repository, sweep);
        this.redelivery = new PendingRedelivery(vertx, repository, agents, local, sweep.redeliverAfter());
        // A member joining, also the other side of a healed split merging in, may have accepted runs
        // for hosts held here that no share will bring.
        PendingRedelivery caughtUp = this.redelivery;
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                caughtUp.catchUp();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                // Its hosts reconnect to their new owners, which load their open runs on connect.
            }
        });
    }

    public TaskService service() {
        return service;
    }

    public TaskRepository repository() {
        return repository;
    }

    public RunResultBatcher results() {
        return results;
    }

    /** Runs this member pushed again because they stayed pending on a connected host. */
    public long redeliveredRuns() {
        PendingRedelivery current = redelivery;
        return current == null ? 0 : current.redelivered();
    }

    /** Agent streams on this member that dispatch can reach. */
    public int connectedAgents() {
        return agents.size();
    }

    @Override
    public void assign(TaskHeader task, List<RunRef> runs) {
        ClusterDispatch current = dispatch;
        if (current != null) {
            current.assign(task, runs);
        }
    }

    @Override
    public void cancel(List<RunRef> runs, String reason) {
        ClusterDispatch current = dispatch;
        if (current != null) {
            current.cancel(runs, reason);
        }
    }

    @Override
    public Future<Void> onMessage(AgentSession session, AgentMessage message) {
        AgentTaskHandler current = handler;
        if (current == null) {
            // Not attached: leave it unacknowledged, the agent sends it again.
            return Future.succeededFuture();
        }
        return current.onMessage(session, message);
    }

    @Override
    public void onSessionOpened(AgentSession session) {
        AgentTaskHandler current = handler;
        if (current != null) {
            current.onSessionOpened(session);
        }
    }

    @Override
    public void onSessionClosed(AgentSession session, SessionRules.EndCause cause) {
        AgentTaskHandler current = handler;
        if (current != null) {
            current.onSessionClosed(session, cause);
        }
    }

    /** Stops the sweeper and writes the results still queued; completes when they are written. */
    public synchronized Future<Void> close() {
        if (sweeper != null) {
            sweeper.close();
        }
        if (redelivery != null) {
            redelivery.close();
        }
        return results.close();
    }
}
