package io.muster.agent.session;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What many sessions share: the one timer executor, the clock, the random source for jitter and the
 * timing knobs. The fleet simulator hands one instance to tens of thousands of sessions.
 *
 * @param scheduler      timers of every session (heartbeats, Welcome deadline, reconnects); never blocked
 * @param clock          wall clock for heartbeat timestamps
 * @param random         jitter for backoff and the first controller; seed it in tests
 * @param heartbeat      default heartbeat interval (a Welcome may override it)
 * @param baseBackoff    first reconnect ceiling (500 ms)
 * @param maxBackoff     cap of the reconnect ceiling (30 s)
 * @param welcomeTimeout how long an open stream may wait for Welcome after its Hello before it counts
 *                       as failed and backs off (30 s). Generous on purpose: a dead or unreachable
 *                       controller fails the call itself (UNAVAILABLE), and a loaded one refuses at
 *                       once ("member busy"), so a stream that is open but slow to welcome is a
 *                       queued connect; abandoning it early only re-queues the same Hello
 * @param maxRedirects   redirects in a row that are followed at once; beyond that, backoff
 */
public record SessionSettings(
        ScheduledExecutorService scheduler,
        Clock clock,
        Random random,
        Duration heartbeat,
        Duration baseBackoff,
        Duration maxBackoff,
        Duration welcomeTimeout,
        int maxRedirects) {

    public static final Duration DEFAULT_WELCOME_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_REDIRECTS = 5;

    public SessionSettings {
        Objects.requireNonNull(scheduler, "scheduler");
        clock = clock == null ? Clock.systemUTC() : clock;
        random = random == null ? new Random() : random;
        heartbeat = heartbeat == null ? Duration.ofSeconds(10) : heartbeat;
        baseBackoff = baseBackoff == null ? ReconnectBackoff.DEFAULT_BASE : baseBackoff;
        maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
        welcomeTimeout = welcomeTimeout == null ? DEFAULT_WELCOME_TIMEOUT : welcomeTimeout;
        maxRedirects = maxRedirects <= 0 ? DEFAULT_MAX_REDIRECTS : maxRedirects;
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive");
        }
    }

    /** Defaults for everything but the scheduler, clock, random and heartbeat/backoff caps. */
    public static SessionSettings of(ScheduledExecutorService scheduler, Clock clock, Random random,
            Duration heartbeat, Duration maxBackoff) {
        return new SessionSettings(scheduler, clock, random, heartbeat, null, maxBackoff, null, 0);
    }

    public ReconnectBackoff backoff() {
        return new ReconnectBackoff(baseBackoff, maxBackoff, random);
    }
}
