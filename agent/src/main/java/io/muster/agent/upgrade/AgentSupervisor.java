package io.muster.agent.upgrade;

import io.muster.agent.task.lifecycle.AgentRestart;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent process of this host running and carries out agent upgrades around it.
 *
 * <p>The loop: start the agent from {@code current.jar} ({@link BuildSlots}), or from the
 * distribution when no build was installed; when it exits with {@link AgentRestart#EXIT_CODE} it
 * installed a new build and wants to be started again, so the agent state is kept for a rollback
 * and the new build is started. A new build has {@link Settings#upgradeDeadline} to be welcomed by
 * a controller (it then writes the {@code healthy} mark); if it exits first or the deadline passes,
 * it is stopped, the previous build and the kept agent state are restored with a note saying why,
 * and the previous build is started again: it reports the upgrade run as rolled back. Any other
 * exit restarts the agent after a growing delay, except a usage error (exit code 2), which no
 * restart would fix.
 *
 * <p>All upgrade state lives in files, so a supervisor that is itself restarted (by systemd, after
 * a crash) picks up where it was: a pending build gets a fresh deadline.
 *
 * <p>{@link #run} blocks the calling thread until {@code stop} completes; not thread-safe
 * otherwise (one supervisor per data directory).
 */
public final class AgentSupervisor {

    private static final Logger LOG = LoggerFactory.getLogger(AgentSupervisor.class);
    /** Exit code of a command-line usage error: restarting would not help. */
    public static final int USAGE_ERROR = 2;

    /** Starts one agent process from a build jar, or from the distribution when the build is empty. */
    @FunctionalInterface
    public interface Launcher {
        Process start(Optional<Path> build) throws IOException;
    }

    /**
     * @param upgradeDeadline how long a new build has to reach a controller
     * @param stopGrace       how long the agent may take to stop on SIGTERM before it is killed
     * @param minRestartDelay first delay before restarting an agent that exited unexpectedly
     * @param maxRestartDelay cap of that delay (it doubles with every exit in a row)
     * @param healthPoll      how often the healthy mark is looked for while a new build starts
     */
    public record Settings(Duration upgradeDeadline, Duration stopGrace, Duration minRestartDelay,
                           Duration maxRestartDelay, Duration healthPoll) {

        public static Settings defaults(Duration upgradeDeadline) {
            return new Settings(upgradeDeadline, Duration.ofSeconds(15), Duration.ofSeconds(1), Duration.ofSeconds(30),
                    Duration.ofMillis(250));
        }
    }

    private final BuildSlots slots;
    private final Launcher launcher;
    private final Settings settings;
    private final Clock clock;

    public AgentSupervisor(BuildSlots slots, Launcher launcher, Settings settings, Clock clock) {
        this.slots = slots;
        this.launcher = launcher;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Supervises until {@code stop} completes (then stops the agent and returns 0) or the agent
     * exits with a usage error (returns {@link #USAGE_ERROR}).
     *
     * @throws IOException when the build directory cannot be read or written, or no agent can be started
     */
    public int run(CompletableFuture<?> stop) throws IOException, InterruptedException {
        Duration restartDelay = settings.minRestartDelay();
        while (!stop.isDone()) {
            Optional<String> pending = slots.pendingUpgrade();
            if (pending.isPresent()) {
                slots.keepStateForRollback();
            }
            Optional<Path> build = slots.currentBuild();
            LOG.info("starting the agent from {}{}", build.map(Path::toString).orElse("the distribution"),
                    pending.map(version -> " (new build " + version + ", on trial)").orElse(""));
            Process agent;
            try {
                agent = launcher.start(build);
            } catch (IOException e) {
                if (pending.isEmpty()) {
                    throw e;
                }
                rollBack(pending.get(), "agent build " + pending.get() + " could not be started: " + e.getMessage());
                continue;
            }
            if (pending.isPresent() && !proves(agent, pending.get(), stop)) {
                continue;
            }
            int code = waitForExit(agent, stop);
            if (stop.isDone()) {
                break;
            }
            if (code == AgentRestart.EXIT_CODE) {
                LOG.info("the agent asked to be restarted{}", slots.pendingUpgrade()
                        .map(version -> " into build " + version).orElse(""));
                restartDelay = settings.minRestartDelay();
                continue;
            }
            if (code == USAGE_ERROR) {
                LOG.error("the agent refused its command line (exit code {}); not restarting it", code);
                return USAGE_ERROR;
            }
            LOG.warn("the agent exited with code {}; restarting it in {} ms", code, restartDelay.toMillis());
            sleep(restartDelay, stop);
            restartDelay = min(restartDelay.multipliedBy(2), settings.maxRestartDelay());
        }
        return 0;
    }

    /**
     * Waits for the new build to mark itself healthy. @return true when it did (it keeps running);
     * false when it was rolled back or a stop was requested (the process is gone either way)
     */
    private boolean proves(Process agent, String version, CompletableFuture<?> stop)
            throws IOException, InterruptedException {
        Instant deadline = clock.instant().plus(settings.upgradeDeadline());
        while (true) {
            if (stop.isDone()) {
                stopAgent(agent);
                return false;
            }
            if (slots.healthyVersion().isPresent()) {
                slots.confirm();
                LOG.info("agent build {} reached a controller; the upgrade is complete", version);
                return true;
            }
            if (!agent.isAlive()) {
                rollBack(version, "agent build " + version + " exited with code " + agent.exitValue()
                        + " before it reached a controller");
                return false;
            }
            if (!clock.instant().isBefore(deadline)) {
                stopAgent(agent);
                rollBack(version, "agent build " + version + " did not reach a controller within "
                        + settings.upgradeDeadline().toSeconds() + " s");
                return false;
            }
            // The agent's exit ends the wait early; the healthy mark is a file, so it is looked for.
            agent.waitFor(settings.healthPoll().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void rollBack(String version, String why) throws IOException {
        LOG.warn("{}; rolling back", why);
        if (!slots.rollBack(why)) {
            LOG.error("no previous agent build to roll back to; starting {} again", version);
        }
    }

    private int waitForExit(Process agent, CompletableFuture<?> stop) throws InterruptedException {
        try {
            CompletableFuture.anyOf(agent.onExit(), stop).get();
        } catch (ExecutionException e) {
            // a failed stop future still means stop
        }
        if (stop.isDone()) {
            stopAgent(agent);
            return 0;
        }
        return agent.waitFor();
    }

    private void stopAgent(Process agent) throws InterruptedException {
        if (!agent.isAlive()) {
            return;
        }
        agent.destroy();
        if (!agent.waitFor(settings.stopGrace().toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("the agent did not stop within {} s; killing it", settings.stopGrace().toSeconds());
            agent.destroyForcibly();
            agent.waitFor();
        }
    }

    private static void sleep(Duration delay, CompletableFuture<?> stop) throws InterruptedException {
        try {
            stop.get(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the delay passed (or the stop failed, which still stops)
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
