package io.muster.scheduler.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static List<Candidate> hosts(int count, String... dcs) {
        List<Candidate> hosts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            hosts.add(new Candidate(String.format("h%04d", i), dcs.length == 0 ? null : dcs[i % dcs.length]));
        }
        return hosts;
    }

    private static Strategy waves(Amount budget, Amount... ramp) {
        return new Strategy(List.of(ramp), null, budget, null, -1, null, 0, Order.BY_ID);
    }

    private static Snapshot fresh(Strategy strategy, List<Candidate> candidates, RolloutState state, boolean approved) {
        List<HostSlot> slots = Plan.arrange(candidates, strategy).stream()
                .map(h -> new HostSlot(h, HostProgress.PLANNED, null)).toList();
        return new Snapshot(strategy, state, approved, false, slots, T0);
    }

    private static Snapshot with(Snapshot s, HostProgress progress, Instant since, int... positions) {
        List<HostSlot> hosts = new ArrayList<>(s.hosts());
        for (int p : positions) {
            hosts.set(p, new HostSlot(hosts.get(p).host(), progress, since));
        }
        return new Snapshot(s.strategy(), s.state(), s.approved(), s.revertWanted(), hosts, s.now());
    }

    @Test
    void waves_rampOfCountsAndPercents_lastEntryRepeats() {
        Strategy strategy = waves(Amount.count(0), Amount.count(1), Amount.count(10), Amount.percentOf(25));
        assertThat(Plan.waveSizes(500, strategy)).containsExactly(1, 10, 125, 125, 125, 114);
    }

    @Test
    void fiveHundredHosts_twentyFailing_budgetFive_haltsWithinOneWaveOfTheBudget_thenResumesWithAHigherBudget() {
        Strategy strategy = waves(Amount.count(5), Amount.count(1), Amount.count(10), Amount.percentOf(25));
        List<Candidate> candidates = hosts(500);
        Set<String> failing = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            failing.add(String.format("h%04d", 7 + i * 23));
        }
        RolloutSimulation sim = new RolloutSimulation(strategy, candidates, failing, false);
        sim.run(new Random(1), 10_000);
        assertThat(sim.state).isEqualTo(RolloutState.HALTED);
        assertThat(sim.failed()).isGreaterThan(5).isLessThanOrEqualTo(5 + 125);
        assertThat(sim.steps).filteredOn(Step.Halt.class::isInstance).singleElement()
                .extracting(s -> ((Step.Halt) s).reason()).asString().contains("failure budget exceeded").contains("5 allowed");
        int startedWhenHalted = (int) java.util.Arrays.stream(sim.starts).filter(n -> n > 0).count();
        assertThat(startedWhenHalted).isLessThan(500);

        // Raise the budget and resume: the rest runs, nothing twice.
        RolloutSimulation resumed = sim;
        resumed.state = RolloutState.RUNNING;
        Strategy raised = strategy.withMaxFailures(Amount.count(20));
        RolloutSimulation after = new RolloutSimulation(raised, candidates, failing, false);
        System.arraycopy(resumed.progress, 0, after.progress, 0, 500);
        System.arraycopy(resumed.since, 0, after.since, 0, 500);
        System.arraycopy(resumed.starts, 0, after.starts, 0, 500);
        after.now = resumed.now;
        after.run(new Random(2), 10_000);
        assertThat(after.state).isEqualTo(RolloutState.SUCCEEDED);
        assertThat(after.failed()).isEqualTo(20);
        assertThat(after.starts).containsOnly(1);
    }

    @Test
    void manualCanary_waitsForApproval_thenStartsTheNextWave() {
        Strategy strategy = new Strategy(List.of(Amount.count(5)), null, Amount.count(0),
                new Canary(2, Canary.Approval.MANUAL, 0), -1, null, 0, Order.BY_ID);
        Snapshot s = fresh(strategy, hosts(12), RolloutState.RUNNING, false);
        assertThat(Planner.next(s)).isEqualTo(new Step.Start(0, List.of(0, 1)));
        s = with(s, HostProgress.SUCCEEDED, T0, 0, 1);
        assertThat(Planner.next(s)).isInstanceOf(Step.AwaitApproval.class);
        Snapshot approved = new Snapshot(strategy, RolloutState.RUNNING, true, false, s.hosts(), T0);
        assertThat(Planner.next(approved)).isEqualTo(new Step.Start(1, List.of(2, 3, 4, 5, 6)));
        assertThat(Planner.next(new Snapshot(strategy, RolloutState.WAITING_APPROVAL, false, false, s.hosts(), T0)))
                .isEqualTo(new Step.Wait(null));
    }

    @Test
    void autoCanary_proceedsAfterItsWait_andHaltsWhenACanaryFailed() {
        Strategy strategy = new Strategy(null, Amount.count(3), Amount.count(5),
                new Canary(1, Canary.Approval.AUTO, 30), -1, null, 0, Order.BY_ID);
        Snapshot s = with(fresh(strategy, hosts(10), RolloutState.RUNNING, false), HostProgress.SUCCEEDED, T0, 0);
        assertThat(Planner.next(s)).isEqualTo(new Step.Wait(T0.plusSeconds(30)));
        Snapshot later = new Snapshot(strategy, RolloutState.RUNNING, false, false, s.hosts(), T0.plusSeconds(30));
        assertThat(Planner.next(later)).isEqualTo(new Step.Start(1, List.of(1, 2, 3)));
        Snapshot failed = with(later, HostProgress.FAILED, T0, 0);
        assertThat(Planner.next(failed)).isEqualTo(new Step.Halt("canary failed on 1 of 1 host(s)"));
    }

    @Test
    void healthCheck_runsAfterMinHealthySeconds_blocksTheNextWave_andAFailedCheckCounts() {
        Strategy strategy = new Strategy(List.of(Amount.count(2)), null, Amount.count(0), null, 10, null, 0, Order.BY_ID);
        Snapshot s = with(fresh(strategy, hosts(4), RolloutState.RUNNING, false), HostProgress.AWAITING_HEALTH, T0, 0, 1);
        assertThat(Planner.next(s)).isEqualTo(new Step.Wait(T0.plusSeconds(10)));
        Snapshot due = new Snapshot(strategy, RolloutState.RUNNING, false, false, s.hosts(), T0.plusSeconds(10));
        assertThat(Planner.next(due)).isEqualTo(new Step.CheckHealth(List.of(0, 1)));
        Snapshot checking = with(due, HostProgress.CHECKING, null, 0, 1);
        assertThat(Planner.next(checking)).isEqualTo(new Step.Wait(null));
        Snapshot unhealthy = with(with(checking, HostProgress.SUCCEEDED, T0, 0), HostProgress.FAILED, T0, 1);
        assertThat(Planner.next(unhealthy)).isInstanceOf(Step.Halt.class);
    }

    @Test
    void spreadByDc_interleavesDatacentersInEveryWave() {
        Strategy strategy = new Strategy(List.of(Amount.count(3)), null, Amount.count(0), null, -1, "dc", 0, Order.BY_ID);
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            candidates.add(new Candidate("h" + i, i < 3 ? "ldn1" : i < 6 ? "nyc2" : "sfo3"));
        }
        List<PlannedHost> plan = Plan.arrange(candidates, strategy);
        assertThat(plan.stream().map(PlannedHost::hostId).toList())
                .containsExactly("h0", "h3", "h6", "h1", "h4", "h7", "h2", "h5", "h8");
        assertThat(plan.stream().filter(h -> h.wave() == 0).map(PlannedHost::hostId)).containsExactly("h0", "h3", "h6");
    }

    @Test
    void randomOrder_sameSeedSamePlan_otherSeedOtherPlan() {
        Strategy a = new Strategy(null, Amount.count(5), Amount.count(0), null, -1, null, 0, Order.random(42));
        Strategy b = new Strategy(null, Amount.count(5), Amount.count(0), null, -1, null, 0, Order.random(43));
        assertThat(Plan.arrange(hosts(50), a)).isEqualTo(Plan.arrange(hosts(50), a));
        assertThat(Plan.arrange(hosts(50), a)).isNotEqualTo(Plan.arrange(hosts(50), b));
    }

    @Test
    void pausedAbortedAndWaiting_startNothing() {
        Strategy strategy = waves(Amount.count(0), Amount.count(2));
        for (RolloutState state : List.of(RolloutState.PAUSED, RolloutState.ABORTED, RolloutState.WAITING_APPROVAL)) {
            assertThat(Planner.next(fresh(strategy, hosts(4), state, false))).isEqualTo(new Step.Wait(null));
        }
    }

    @Test
    void stateTransitions_conflictsAreEmpty() {
        assertThat(RolloutState.SUCCEEDED.pause()).isEmpty();
        assertThat(RolloutState.ABORTED.resume()).isEmpty();
        assertThat(RolloutState.RUNNING.resume()).isEmpty();
        assertThat(RolloutState.HALTED.resume()).contains(RolloutState.RUNNING);
        assertThat(RolloutState.PAUSED.abort()).contains(RolloutState.ABORTED);
    }

    @Test
    void amounts_parseCountsAndPercents_andRejectOverOneHundredPercent() {
        assertThat(Amount.parse("25%")).isEqualTo(Amount.percentOf(25));
        assertThat(Amount.parse(10)).isEqualTo(Amount.count(10));
        assertThatThrownBy(() -> Amount.parse("150%")).hasMessageContaining("at most 100%");
        assertThatThrownBy(() -> Amount.parse("ten")).hasMessageContaining("percent");
    }
}
