package io.muster.agent;

import io.muster.agent.drift.DriftWatch;
import io.muster.agent.enrollment.AgentTls;
import io.muster.agent.identity.HostIdentity;
import io.muster.agent.inventory.HostVitals;
import io.muster.agent.inventory.InventoryCollector;
import io.muster.agent.inventory.LocalFacts;
import io.muster.agent.journal.FileJournalStore;
import io.muster.agent.journal.InterruptedRunPolicy;
import io.muster.agent.journal.Journal;
import io.muster.agent.journal.JournalHealth;
import io.muster.agent.session.AgentSession;
import io.muster.agent.session.ControllerClock;
import io.muster.agent.session.ContainerReporter;
import io.muster.agent.session.NettyChannels;
import io.muster.agent.session.SessionSettings;
import io.muster.agent.task.StandardExecutors;
import io.muster.agent.task.TaskExecutor;
import io.muster.agent.task.TaskRunner;
import io.muster.agent.task.exec.ExecExecutor;
import io.muster.agent.task.lifecycle.AgentRestart;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.TaskUpdate;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent process of one host: identity, inventory, journal, task runner (exec plus any extra
 * executors) and the session to the controller.
 *
 * <p>Threads: one timer thread (also the gRPC callback executor and the config drift checks), one Netty event loop, and a pool
 * of {@value #WORKERS} task workers started on demand. Nothing polls between heartbeats.
 *
 * <p>{@link #start()} returns once the agent is connecting; {@link #close()} ends the stream
 * gracefully, cancels executing runs and releases every thread. Not restartable.
 */
public final class Agent implements AutoCloseable {

    /** Version of this build (from the jar manifest), "dev" when run from classes. */
    public static final String VERSION = version();
    /** How often a journal that could not be written is tried again. */
    static final java.time.Duration JOURNAL_RETRY = java.time.Duration.ofSeconds(2);
    static final int WORKERS = 4;
    /** Under the data dir: {@code *.facts} files of facts the host's own tooling declares ({@link LocalFacts}). */
    public static final String LOCAL_FACTS = "facts.d";

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final List<TaskExecutor> extraExecutors;
    private final ContainerReporter containers;
    private final AutoCloseable ownedExecutors;
    private ScheduledThreadPoolExecutor scheduler;
    private ExecutorService workers;
    private EventLoopGroup eventLoop;
    private NettyChannels channels;
    private InventoryCollector collector;
    private Journal journal;
    private TaskRunner runner;
    private AgentSession session;
    private DriftWatch drift;
    private HostIdentity identity;
    private volatile Inventory reported;
    private Clock hostClock = Clock.systemUTC();

    public Agent(AgentConfig config) {
        this(config, List.of(), null);
    }

    /**
     * @param extraExecutors executors for more kinds (config, container, lifecycle); one of kind
     *                       "exec" replaces the built-in one
     * @param containers     reports managed containers on heartbeats; null when there is no engine
     */
    public Agent(AgentConfig config, List<? extends TaskExecutor> extraExecutors, ContainerReporter containers) {
        this(config, extraExecutors, containers, null);
    }

    private Agent(AgentConfig config, List<? extends TaskExecutor> extraExecutors, ContainerReporter containers,
            AutoCloseable ownedExecutors) {
        this.config = config;
        this.extraExecutors = List.copyOf(extraExecutors);
        this.containers = containers;
        this.ownedExecutors = ownedExecutors;
    }

    /**
     * The agent of a real host: exec plus the {@link StandardExecutors} its configuration calls for
     * (config, lifecycle, container when the engine socket exists), released by {@link #close()}.
     *
     * @param restart how this process restarts into another build; null when nothing supervises it
     */
    public static Agent standard(AgentConfig config, AgentRestart restart) {
        StandardExecutors standard = StandardExecutors.from(config, VERSION, restart);
        return new Agent(config, standard.executors(), standard.containers(), standard);
    }

    /** The host's wall clock (the system's unless a test says otherwise); call before {@link #start}. */
    public synchronized Agent hostClock(Clock clock) {
        this.hostClock = java.util.Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Reads identity and inventory, replays the journal and starts connecting. */
    public synchronized Agent start() {
        if (session != null) {
            throw new IllegalStateException("agent already started");
        }
        try {
            scheduler = new ScheduledThreadPoolExecutor(1, daemon("muster-agent"));
            scheduler.setRemoveOnCancelPolicy(true);
            ThreadPoolExecutor pool = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), daemon("muster-task"));
            pool.allowCoreThreadTimeOut(true);
            workers = pool;
            eventLoop = new MultiThreadIoEventLoopGroup(1, daemon("muster-netty"), NioIoHandler.newFactory());

            collector = new InventoryCollector(VERSION, new LocalFacts(config.dataDir().resolve(LOCAL_FACTS)));
            reported = collector.current();
            identity = HostIdentity.load(config.dataDir(), HostIdentity.MACHINE_ID, collector::hardwareUuid, config.bootIdFile());
            // Enrolls first when there is no certificate yet; the session then connects with mTLS.
            SslContext tls = config.insecure() ? null : AgentTls.prepare(config.enrollControllers(), config.dataDir(),
                    config.enrollToken(), config.caCert(), identity.hostId(), null);
            channels = new NettyChannels(eventLoop, scheduler, NettyChannels.DEFAULT_KEEPALIVE, tls);
            // Run times go out on the controller's clock, however far off the host's is.
            ControllerClock clock = new ControllerClock(hostClock);
            journal = Journal.open(new FileJournalStore(config.dataDir().resolve("journal")), clock, interruptedRunPolicy());
            List<TaskExecutor> executors = new ArrayList<>();
            executors.add(new ExecExecutor());
            executors.addAll(extraExecutors);
            runner = new TaskRunner(executors, journal, workers, scheduler, clock, config.dataDir());
            SessionSettings settings = SessionSettings.of(scheduler, hostClock, new Random(), config.heartbeat(), config.maxBackoff());
            session = new AgentSession(settings, channels, config.controllers(), identity, collector,
                    new HostVitals(collector.system()), runner, containerReporter());
            long every = config.inventoryInterval().toMillis();
            scheduler.scheduleWithFixedDelay(this::refreshInventory, every, every, TimeUnit.MILLISECONDS);
            drift = new DriftWatch(config.dataDir(), identity.hostId(), session::send, scheduler, clock, config.driftInterval());
            session.whenServerTime(clock::learn);
            session.whenWelcomed(drift::resend);
            session.whenEventAcknowledged(drift::acknowledged);
            JournalHealth health = new JournalHealth(session::send, clock);
            // Off the journal's lock: sending takes the session's, which reads the journal under it.
            journal.whenDurabilityChanges(failure -> scheduler.execute(() -> health.changed(failure)));
            session.whenWelcomed(health::resend);
            session.whenEventAcknowledged(health::acknowledged);
            // A full disk is noticed by the next write; space that returns is noticed by this retry.
            scheduler.scheduleWithFixedDelay(journal::durable, JOURNAL_RETRY.toMillis(), JOURNAL_RETRY.toMillis(),
                    TimeUnit.MILLISECONDS);
            drift.start();
            session.start();
            LOG.info("agent {} for host {} started; controllers {}", VERSION, identity.hostId(), config.controllers());
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot open the agent journal in " + config.dataDir(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    // Optional abilities of extra executors: concluding runs a restart completes (lifecycle), and
    // reporting managed containers when no reporter was given.
    private InterruptedRunPolicy interruptedRunPolicy() {
        InterruptedRunPolicy policy = InterruptedRunPolicy.DEFAULT;
        for (TaskExecutor executor : extraExecutors) {
            if (executor instanceof InterruptedRunPolicy extra) {
                InterruptedRunPolicy before = policy;
                policy = update -> {
                    TaskUpdate concluded = before.conclude(update);
                    return concluded == update ? extra.conclude(update) : concluded;
                };
            }
        }
        return policy;
    }

    private ContainerReporter containerReporter() {
        if (containers != null) {
            return containers;
        }
        for (TaskExecutor executor : extraExecutors) {
            if (executor instanceof ContainerReporter reporter) {
                return reporter;
            }
        }
        return null;
    }

    public synchronized String hostId() {
        return identity == null ? null : identity.hostId();
    }

    /** The session (connection state, member id); null before {@link #start()}. */
    public synchronized AgentSession session() {
        return session;
    }

    /** The inventory as last read. */
    public Inventory inventory() {
        return reported;
    }

    private void refreshInventory() {
        try {
            Inventory previous = reported;
            Inventory current = collector.refresh();
            if (!current.getDigest().equals(previous.getDigest())) {
                reported = current;
                session.inventoryChanged(previous, current);
            }
        } catch (RuntimeException e) {
            LOG.warn("inventory refresh failed", e);
        }
    }

    @Override
    public synchronized void close() {
        if (drift != null) {
            drift.close();
        }
        if (session != null) {
            session.close();
        }
        if (runner != null) {
            runner.cancelAll("the agent is stopping");
        }
        if (workers != null) {
            workers.shutdown();
            await(workers);
        }
        if (channels != null) {
            channels.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (eventLoop != null) {
            eventLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException e) {
                LOG.warn("closing the journal failed", e);
            }
        }
        if (ownedExecutors != null) {
            try {
                ownedExecutors.close();
            } catch (Exception e) {
                LOG.warn("closing the task executors failed", e);
            }
        }
    }

    private static void await(ExecutorService executor) {
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static String version() {
        String version = Agent.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? "dev" : version;
    }
}
