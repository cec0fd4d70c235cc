package io.muster.bench.scenario;

import io.muster.bench.fleet.BenchFleet;
import io.muster.bench.fleet.Member;
import io.muster.bench.probe.MemberApi;
import io.muster.bench.probe.CpuMeter;
import io.muster.bench.probe.HeapProbe;
import io.muster.bench.probe.OnlineSampler;
import io.muster.bench.probe.Progress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the scenarios of one run share: the settings, the fleet, the API client and probes, the
 * progress line, and figures one scenario leaves for a later one (the members' heap before any
 * agent). Used by the bench's main thread only, except the sampler,
 * which runs on its own thread.
 */
public final class BenchContext {

    private final BenchSettings settings;
    private final BenchFleet fleet;
    private final MemberApi api;
    private final HeapProbe heap;
    private final OnlineSampler sampler;
    private final Progress progress;
    private final Clock clock;
    private final Map<Integer, Double> idleHeapAfterGc = new HashMap<>();

    public BenchContext(BenchSettings settings, BenchFleet fleet, MemberApi api, HeapProbe heap,
                        OnlineSampler sampler, Progress progress, Clock clock) {
        this.settings = settings;
        this.fleet = fleet;
        this.api = api;
        this.heap = heap;
        this.sampler = sampler;
        this.progress = progress;
        this.clock = clock;
    }

    public BenchSettings settings() {
        return settings;
    }

    /** The fleet; only scenarios that need one are run without it being present. */
    public BenchFleet fleet() {
        if (fleet == null) {
            throw new IllegalStateException("this scenario needs the simulated fleet");
        }
        return fleet;
    }

    public MemberApi api() {
        return api;
    }

    public HeapProbe heap() {
        return heap;
    }

    public OnlineSampler sampler() {
        return sampler;
    }

    public Progress progress() {
        return progress;
    }

    public Clock clock() {
        return clock;
    }

    /** Heap in use after a full GC of each member before any agent connected, by member index. */
    public Map<Integer, Double> idleHeapAfterGc() {
        return idleHeapAfterGc;
    }

    /** A CPU meter over the live members. */
    CpuMeter memberCpu() {
        List<CpuMeter.Watched> watched = new ArrayList<>();
        for (Member member : fleet().liveMembers()) {
            watched.add(new CpuMeter.Watched(member.name(), member.process().pid()));
        }
        return new CpuMeter(watched);
    }

    /** A CPU meter over the simulators (their CPU is the load generator's, not Muster's). */
    CpuMeter simulatorCpu() {
        List<CpuMeter.Watched> watched = new ArrayList<>();
        fleet().simulators().forEach(s -> watched.add(new CpuMeter.Watched(s.process().name(), s.process().pid())));
        return new CpuMeter(watched);
    }

    /**
     * Waits until {@code online} agents are connected (per the sampler), the deadline passes
     * (false) or a member or simulator exits (throws).
     */
    boolean awaitOnline(long online, Duration deadline, List<Member> expectedAlive, String what) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (sampler.latest() < online) {
            fleet().checkAlive(what, expectedAlive);
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }
}
