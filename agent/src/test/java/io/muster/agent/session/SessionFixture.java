package io.muster.agent.session;

import io.muster.agent.identity.HostIdentity;
import io.muster.agent.inventory.Vitals;
import io.muster.agent.journal.FileJournalStore;
import io.muster.agent.journal.Journal;
import io.muster.agent.simulation.GeneratedInventory;
import io.muster.agent.task.TaskRunner;
import io.muster.agent.task.exec.ExecExecutor;
import io.muster.proto.v1.Inventory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** One agent session wired like the real agent (real journal, exec executor, Netty channels). */
final class SessionFixture implements AutoCloseable {

    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    final ExecutorService workers = Executors.newFixedThreadPool(2);
    final EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final NettyChannels channels = new NettyChannels(eventLoop, scheduler, Duration.ofSeconds(30));
    final AtomicReference<Inventory> inventory = new AtomicReference<>(GeneratedInventory.generate(1, 1, "test"));
    final Journal journal;
    final TaskRunner runner;
    final AgentSession session;

    SessionFixture(Path dataDir, List<String> controllers, Duration baseBackoff, Duration maxBackoff, Duration welcomeTimeout)
            throws Exception {
        journal = Journal.open(new FileJournalStore(dataDir.resolve("journal")), Clock.systemUTC());
        runner = new TaskRunner(List.of(new ExecExecutor(Duration.ofSeconds(1))), journal, workers, scheduler, Clock.systemUTC(), dataDir);
        SessionSettings settings = new SessionSettings(scheduler, Clock.systemUTC(), new Random(7), Duration.ofSeconds(10),
                baseBackoff, maxBackoff, welcomeTimeout, 0);
        session = new AgentSession(settings, channels, controllers, new HostIdentity("host-1", "boot-1"), inventory::get,
                () -> new Vitals(0.5, 0.4, 0.3, 1 << 30, 1234, 0.25), runner, null);
    }

    @Override
    public void close() throws Exception {
        session.close();
        runner.cancelAll("test over");
        workers.shutdown();
        workers.awaitTermination(10, TimeUnit.SECONDS);
        channels.close();
        scheduler.shutdownNow();
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        journal.close();
    }
}
