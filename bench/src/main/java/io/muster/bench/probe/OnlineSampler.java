package io.muster.bench.probe;

import io.muster.bench.fleet.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Agents online over time: the sum over the live member processes of the sessions each holds
 * (its own entry in {@code /api/v1/cluster}, read live; the counts members publish about each
 * other lag, and a killed member stays listed until it is detected).
 * {@link #run} samples on the calling thread until stopped; readers on other threads see every
 * point taken so far. Thread-safe.
 */
public final class OnlineSampler implements Runnable {

    /** One reading: seconds since the sampler's origin, agents online. */
    public record Point(double seconds, long online) {
    }

    private final MemberApi api;
    private final Supplier<List<Member>> members;
    private final long intervalMillis;
    private final Progress progress;
    private final List<Point> points = new CopyOnWriteArrayList<>();
    private volatile long origin = System.nanoTime();
    private volatile long expected;
    private volatile long latest;
    private volatile boolean stopped;

    public OnlineSampler(MemberApi api, Supplier<List<Member>> members, long intervalMillis, Progress progress) {
        this.api = api;
        this.members = members;
        this.intervalMillis = intervalMillis;
        this.progress = progress;
    }

    /** Starts a new series: points are cleared and times count from now. */
    public void restart(long expectedOnline) {
        points.clear();
        latest = -1;
        expected = expectedOnline;
        origin = System.nanoTime();
    }

    /** Seconds since the start of the current series, on the points' time axis. */
    public double secondsNow() {
        return (System.nanoTime() - origin) / 1e9;
    }

    public long latest() {
        return latest;
    }

    /** The points of the current series. */
    public List<Point> points() {
        return new ArrayList<>(points);
    }

    public void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            long started = System.nanoTime();
            try {
                sample().ifPresent(online -> {
                    latest = online;
                    points.add(new Point((System.nanoTime() - origin) / 1e9, online));
                    progress.online(online, expected);
                });
                long left = intervalMillis - (System.nanoTime() - started) / 1_000_000;
                if (left > 0) {
                    Thread.sleep(left);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Sum of the members' own live session counts; empty when a live member does not answer. */
    private Optional<Long> sample() throws InterruptedException {
        long sum = 0;
        for (Member member : members.get()) {
            if (!member.process().isAlive()) {
                continue;
            }
            Optional<Long> local = ClusterReading.localConnected(api, member);
            if (local.isEmpty()) {
                return Optional.empty();
            }
            sum += local.get();
        }
        return Optional.of(sum);
    }
}
