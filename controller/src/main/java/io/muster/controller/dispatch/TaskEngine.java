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
import io.muster.controller.task.RunResultBatcher;
import io.muster.controller.task.RunSweeper;
import io.muster.controller.task.TaskProgressFeed;
import io.muster.controller.task.TaskRepository;
import io.muster.controller.task.TaskSecrets;
import io.muster.controller.task.TaskService;
import io.muster.proto.v1.AgentMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * The task side of one controller member, assembled: repository, result batcher, dispatch through
 * owners, open runs on connect, the sweeper, and the {@link TaskService} the API uses. It is the
 * gateway's {@link AgentMessageHandler}.
 *
 * <p>Built once the member is in the cluster, before the gateway admits agents; the sweepers
 * start with it and stop in {@link #close}. Thread-safe.
 */
public final class TaskEngine implements AgentMessageHandler {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TaskEngine.class);

    private final TaskRepository repository;
    private final RunResultBatcher results;
    private final ConnectedAgents agents = new ConnectedAgents();
    private final TaskService service;
    private final AgentTaskHandler handler;
    private final RunSweeper sweeper;
    private final PendingRedelivery redelivery;
    private final OpenRunLoader loader;

    /**
     * @param hazelcast carries runs to the members that own their hosts
     * @param ownership which member owns a host
     * @param secrets   what gives new tasks their secrets
     * @param key       seals task secrets in the database (see {@link TaskRepository})
     */
    public TaskEngine(Vertx vertx, Pool pool, SealingKey key, HostRepository hosts, MeterRegistry registry, String memberId,
                      RunSweeper.Settings sweep, HazelcastInstance hazelcast, Ownership ownership, TaskSecrets secrets) {
        this.repository = new TaskRepository(pool, key);
        this.results = new RunResultBatcher(vertx, pool, registry);
        TaskProgressFeed feed = new TaskProgressFeed(vertx, repository);
        this.results.onCommitted(feed::changed);
        LocalDelivery local = new LocalDelivery(vertx, agents, ownership, (runIds, reason) ->
                repository.failUnrunnable(runIds, reason).onFailure(e ->
                        // Left pending: the never-started sweep ends them after their timeout.
                        LOG.warn("could not fail {} unrunnable runs: {}", runIds.size(), e.toString())));
        this.loader = new OpenRunLoader(vertx, repository, agents, local);
        this.handler = new AgentTaskHandler(agents, loader, results, hosts);
        this.service = new TaskService(repository, new ClusterDispatch(hazelcast, ownership, local, repository),
                memberId, feed, secrets);
        this.sweeper = new RunSweeper(vertx, repository, sweep);
        this.redelivery = new PendingRedelivery(vertx, repository, agents, local, sweep.redeliverAfter(),
                results::queued);
        // A member joining, also the other side of a healed split merging in, may have accepted runs
        // for hosts held here that no share will bring.
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                redelivery.catchUp();
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                // Its hosts reconnect to their new owners, which load their open runs on connect.
            }
        });
        Gauge.builder("muster.tasks.agents", agents, ConnectedAgents::size)
                .description("agent streams reachable for task dispatch on this member").register(registry);
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

    /** Connected hosts whose open runs were loaded on connect so far (a connect is settled after it). */
    public long hostsLoadedOnConnect() {
        return loader.hostsLoaded();
    }

    /** Runs this member pushed again because they stayed pending on a connected host. */
    public long redeliveredRuns() {
        return redelivery.redelivered();
    }

    /** Agent streams on this member that dispatch can reach. */
    public int connectedAgents() {
        return agents.size();
    }

    @Override
    public Future<Void> onMessage(AgentSession session, AgentMessage message) {
        return handler.onMessage(session, message);
    }

    @Override
    public void onSessionOpened(AgentSession session) {
        handler.onSessionOpened(session);
    }

    @Override
    public void onSessionClosed(AgentSession session, SessionRules.EndCause cause) {
        handler.onSessionClosed(session, cause);
    }

    /** Stops the sweepers and writes the results still queued; completes when they are written. */
    public Future<Void> close() {
        sweeper.close();
        redelivery.close();
        return results.close();
    }
}
