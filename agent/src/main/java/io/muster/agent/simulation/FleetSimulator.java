package io.muster.agent.simulation;

import io.muster.agent.Agent;
import io.muster.agent.identity.HostIdentity;
import io.muster.agent.inventory.Vitals;
import io.muster.agent.inventory.VitalsSource;
import io.muster.agent.journal.Journal;
import io.muster.agent.journal.MemoryJournalStore;
import io.muster.agent.session.AgentSession;
import io.muster.agent.session.NettyChannels;
import io.muster.agent.session.SessionSettings;
import io.muster.agent.task.TaskRunner;
import io.muster.agent.task.simulated.SimulatedExecutor;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs many simulated agents in this JVM, each with its own host id, stream, in-memory journal,
 * task runner and generated inventory: the same session, journal and runner code as the real
 * agent, with the {@link SimulatedExecutor} for "exec" and "config".
 *
 * <p>Threads: a session pool of {@value #THREADS} threads for every agent (heartbeats, reconnects,
 * gRPC callbacks), a work pool of {@value #THREADS} threads for the runs (task runner, simulated
 * executors) and a Netty event loop of {@value #THREADS} threads; no thread per agent. Runs have a
 * pool of their own because with one pool a burst of thousands of runs (a fan-out, or runs pushed
 * again) delayed every agent's heartbeat past the members' silence limit: in a 1-hour soak at
 * 20,000 agents the members closed 20,000 "silent" sessions twice. Agents
 * share a gRPC channel per {@link SimulatorConfig#agentsPerChannel()} and start at
 * {@link SimulatorConfig#connectRate()} per second.
 *
 * <p>Thread-safe; {@link #stop()} ends every stream and releases every thread.
 */
public final class FleetSimulator implements AutoCloseable {

    static final int THREADS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(FleetSimulator.class);
    private static final VitalsSource VITALS = () -> {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        double load = r.nextDouble(0, 4);
        return new Vitals(load, load * 0.9, load * 0.8, r.nextLong(1L << 30, 16L << 30), 86_400 + r.nextInt(1_000_000), r.nextDouble(0, 0.5));
    };

    private final SimulatorConfig config;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ScheduledThreadPoolExecutor work;
    private final EventLoopGroup eventLoop;
    private final List<NettyChannels> channelGroups = new ArrayList<>();
    private final Map<String, SimulatedAgent> agents;
    private final List<SimulatedAgent> ordered;

    private final FailingHosts failing;

    private FleetSimulator(SimulatorConfig config, FailingHosts failing) {
        this.config = config;
        this.failing = failing;
        this.scheduler = pool("muster-sim-");
        this.work = pool("muster-sim-work-");
        this.eventLoop = new MultiThreadIoEventLoopGroup(THREADS, NioIoHandler.newFactory());
        this.agents = new LinkedHashMap<>(config.count() * 2);
        this.ordered = new ArrayList<>(config.count());
    }

    private static ScheduledThreadPoolExecutor pool(String prefix) {
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(THREADS, runnable -> {
            Thread thread = new Thread(runnable, prefix + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }

    /** Creates the agents and starts connecting them at the configured rate. */
    public static FleetSimulator start(SimulatorConfig config) {
        return start(config, FailingHosts.NONE);
    }

    /** As {@link #start(SimulatorConfig)}, with the hosts {@code failing} picks failing every run. */
    public static FleetSimulator start(SimulatorConfig config, FailingHosts failing) {
        FleetSimulator simulator = new FleetSimulator(config, failing);
        try {
            simulator.createAgents();
        } catch (RuntimeException e) {
            simulator.stop();
            throw e;
        }
        LOG.info("simulating {} agents against {} ({} per channel, {} connects/s)", config.count(), config.controllers(),
                config.agentsPerChannel(), config.connectRate());
        return simulator;
    }

    /** Host id of simulated agent {@code index} for {@code seed}: prefix + a name-based UUID. */
    public static String hostId(String prefix, long seed, int index) {
        return prefix + UUID.nameUUIDFromBytes(("muster-sim:" + seed + ":" + index).getBytes(StandardCharsets.UTF_8));
    }

    private void createAgents() {
        Random jitter = new Random(config.seed());
        SessionSettings settings = SessionSettings.of(scheduler, Clock.systemUTC(), jitter, config.heartbeat(), null);
        Path dataDir = Path.of(System.getProperty("java.io.tmpdir"), "muster-simulated");
        NettyChannels channels = null;
        for (int i = 0; i < config.count(); i++) {
            if (i % config.agentsPerChannel() == 0) {
                channels = new NettyChannels(eventLoop, scheduler, NettyChannels.DEFAULT_KEEPALIVE);
                channelGroups.add(channels);
            }
            String hostId = hostId(config.hostIdPrefix(), config.seed(), i);
            SimulatedAgent agent = new SimulatedAgent(i, hostId, GeneratedInventory.hostname(config.seed(), i));
            Journal journal;
            try {
                journal = Journal.open(new MemoryJournalStore(), Clock.systemUTC());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            boolean fails = failing != FailingHosts.NONE
                    && failing.fails(hostId, facts(GeneratedInventory.generate(config.seed(), i, Agent.VERSION)));
            TaskRunner runner = new TaskRunner(List.of(
                    new SimulatedExecutor("exec", agent.hostname(), config.taskDelay(), work, agent::executed, fails),
                    new SimulatedExecutor("config", agent.hostname(), config.taskDelay(), work, agent::executed, fails)),
                    journal, work, work, Clock.systemUTC(), dataDir);
            int index = i;
            long seed = config.seed();
            Supplier<io.muster.proto.v1.Inventory> generated = () -> GeneratedInventory.generate(seed, index, Agent.VERSION);
            AgentSession session = new AgentSession(settings, channels, config.controllers(),
                    new HostIdentity(hostId, bootId(seed, index)), () -> {
                        io.muster.proto.v1.Inventory changed = agent.changedInventory();
                        return changed != null ? changed : generated.get();
                    }, VITALS, runner, null);
            agent.attach(session, generated);
            agents.put(hostId, agent);
            ordered.add(agent);
            long startAtMs = (long) (i * 1000.0 / config.connectRate());
            scheduler.schedule(session::start, startAtMs, TimeUnit.MILLISECONDS);
        }
    }

    private static Map<String, Object> facts(io.muster.proto.v1.Inventory inventory) {
        Map<String, Object> facts = new java.util.HashMap<>();
        inventory.getFactsMap().forEach((key, fact) -> {
            switch (fact.getValueCase()) {
                case TEXT -> facts.put(key, fact.getText());
                case INTEGER -> facts.put(key, fact.getInteger());
                case REAL -> facts.put(key, fact.getReal());
                case FLAG -> facts.put(key, fact.getFlag());
                default -> { }
            }
        });
        return facts;
    }

    private static String bootId(long seed, int index) {
        return UUID.nameUUIDFromBytes(("muster-sim-boot:" + seed + ":" + index).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Agents welcomed by a controller right now. */
    public int connectedCount() {
        int connected = 0;
        for (SimulatedAgent agent : ordered) {
            if (agent.connected()) {
                connected++;
            }
        }
        return connected;
    }

    /** Host ids of all simulated agents, in index order. */
    public List<String> hostIds() {
        return ordered.stream().map(SimulatedAgent::hostId).toList();
    }

    /** Every agent, in index order. */
    public List<SimulatedAgent> agents() {
        return Collections.unmodifiableList(ordered);
    }

    /** The agent with {@code hostId}, or null. */
    public SimulatedAgent agent(String hostId) {
        return agents.get(hostId);
    }

    /** Connected agents per member id. */
    public Map<String, Integer> connectionsByMember() {
        Map<String, Integer> byMember = new java.util.TreeMap<>();
        for (SimulatedAgent agent : ordered) {
            String member = agent.memberId();
            if (member != null) {
                byMember.merge(member, 1, Integer::sum);
            }
        }
        return byMember;
    }

    /** Run ids executed more than once on some agent, as "hostId/runId" (empty when at-most-once held). */
    public List<String> runsExecutedMoreThanOnce() {
        List<String> duplicates = new ArrayList<>();
        for (SimulatedAgent agent : ordered) {
            agent.executedRuns().forEach((run, count) -> {
                if (count > 1) {
                    duplicates.add(agent.hostId() + "/" + run);
                }
            });
        }
        return duplicates;
    }

    public SimulatorConfig config() {
        return config;
    }

    /** Ends every stream gracefully, then releases channels and threads. */
    public void stop() {
        for (SimulatedAgent agent : ordered) {
            if (agent.session() != null) {
                agent.session().close();
            }
        }
        channelGroups.forEach(NettyChannels::shutdown);
        channelGroups.forEach(NettyChannels::close);
        scheduler.shutdownNow();
        work.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            work.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        eventLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public void close() {
        stop();
    }
}
