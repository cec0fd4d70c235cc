package io.muster.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.cluster.SessionRules.EndActions;
import io.muster.controller.cluster.SessionRules.EndCause;
import io.muster.controller.cluster.SessionRules.HelloDecision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulation of the session ownership rules ({@link SessionRules}, the functions the
 * gateway calls): members join, leave gracefully and crash in random order, agents connect,
 * follow redirects, abandon half-open streams and reconnect, and every message is delayed and
 * delivered in random order, including the writes to the sessions map (a member's release is
 * ordered after its own claim, as in the gateway). After every step: no host has a session on
 * two members, every session is on the host's owner, the sessions map names every live session
 * (or its claim is on the way) and names no session that is gone (unless its release is on the
 * way), and no host with a live session is recorded offline. At the end, once the network is quiet, every agent is
 * connected to its owner exactly once.
 *
 * <p>A failure names its seed; replay it with {@code -Dmuster.seed=SEED}.
 */
class OwnershipSimulationTest {

    private static final int SEEDS = 100;
    private static final int STEPS = 600;

    @Test
    void randomMembershipChangesAndDelays_keepOneOwningSessionPerHost() {
        String replay = System.getProperty("muster.seed");
        if (replay != null) {
            runSeed(Long.parseLong(replay));
            return;
        }
        long base = new Random().nextLong();
        System.out.println("OwnershipSimulationTest seeds " + base + ".." + (base + SEEDS - 1)
                + " (replay one with -Dmuster.seed=SEED)");
        for (int i = 0; i < SEEDS; i++) {
            runSeed(base + i);
        }
    }

    @Test
    void fixedSeed_isReproducible() {
        assertThat(new Simulation(42).run(STEPS)).isEqualTo(new Simulation(42).run(STEPS));
    }

    private static void runSeed(long seed) {
        try {
            new Simulation(seed).run(STEPS);
        } catch (AssertionError e) {
            throw new AssertionError("ownership simulation failed with seed " + seed
                    + " (replay: -Dmuster.seed=" + seed + "): " + e.getMessage(), e);
        }
    }

    /** The model: a partition table, members applying SessionRules, agents, a delaying network. */
    static final class Simulation {
        private static final int PARTITIONS = 31;
        private static final int AGENTS = 40;

        private final Random random;
        private final List<String> live = new ArrayList<>();
        private final Set<String> departed = new HashSet<>();
        private final Map<String, Member> members = new LinkedHashMap<>();
        private final String[] table = new String[PARTITIONS];
        private final Map<String, SessionEntry> directory = new HashMap<>();
        private final Map<String, Boolean> online = new HashMap<>();
        private final List<Agent> agents = new ArrayList<>();
        private final List<Message> network = new ArrayList<>();
        private final StringBuilder trace = new StringBuilder();
        private int nextMember;
        private long clock;
        private long nextStream;
        private int step;

        Simulation(long seed) {
            this.random = new Random(seed);
            for (int i = 0; i < AGENTS; i++) {
                agents.add(new Agent("host-" + i));
            }
            join();
            join();
        }

        /** Runs the steps then quiesces; returns the trace (for reproducibility checks). */
        String run(int steps) {
            for (step = 0; step < steps; step++) {
                randomStep();
                checkInvariants();
            }
            quiesce();
            return trace.toString();
        }

        private void randomStep() {
            int roll = random.nextInt(100);
            if (roll < 3 && live.size() < 5) {
                join();
            } else if (roll < 5 && live.size() > 1) {
                leaveGracefully(live.get(random.nextInt(live.size())));
            } else if (roll < 7 && live.size() > 1) {
                crash(live.get(random.nextInt(live.size())));
            } else if (roll < 10) {
                abandon(agents.get(random.nextInt(agents.size())));
            } else if (roll < 45) {
                Agent agent = agents.get(random.nextInt(agents.size()));
                if (agent.stream == 0) {
                    connect(agent, anyKnownMember());
                }
            } else if (!network.isEmpty()) {
                deliver(network.remove(random.nextInt(network.size())));
            }
        }

        // ---- cluster ---------------------------------------------------------------------

        private void join() {
            String id = "m-" + nextMember++;
            members.put(id, new Member(id));
            live.add(id);
            trace.append(step).append(" join ").append(id).append('\n');
            rebalance();
        }

        private void leaveGracefully(String id) {
            Member member = members.get(id);
            member.closing = true;
            live.remove(id);
            trace.append(step).append(" leave ").append(id).append('\n');
            // Partitions migrate away; the leaving member redirects its agents to the new owners.
            rebalance();
            recheck(member);
            member.alive = false;
            departed.add(id);
            purge(id);
        }

        private void crash(String id) {
            Member member = members.get(id);
            member.alive = false;
            live.remove(id);
            departed.add(id);
            trace.append(step).append(" crash ").append(id).append('\n');
            for (Session session : member.sessions.values()) {
                network.add(new Message(Kind.CLOSED, session.hostId, id, session.stream, null));
            }
            member.sessions.clear();
            rebalance();
            purge(id);
        }

        /** Hazelcast-like: keep assignments where possible, move the minimum to balance. */
        private void rebalance() {
            int n = live.size();
            Map<String, Integer> count = new HashMap<>();
            List<Integer> orphans = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                if (table[p] == null || !live.contains(table[p])) {
                    orphans.add(p);
                } else {
                    count.merge(table[p], 1, Integer::sum);
                }
            }
            int target = PARTITIONS / n;
            for (int p = 0; p < PARTITIONS; p++) {
                String owner = table[p];
                if (owner != null && live.contains(owner) && count.get(owner) > target + 1) {
                    count.merge(owner, -1, Integer::sum);
                    orphans.add(p);
                }
            }
            for (int p : orphans) {
                String least = live.get(0);
                for (String m : live) {
                    if (count.getOrDefault(m, 0) < count.getOrDefault(least, 0)) {
                        least = m;
                    }
                }
                table[p] = least;
                count.merge(least, 1, Integer::sum);
            }
            // Balance under-loaded members (a newcomer) by taking from the most loaded.
            boolean moved = true;
            while (moved) {
                moved = false;
                String least = live.get(0);
                String most = live.get(0);
                for (String m : live) {
                    if (count.getOrDefault(m, 0) < count.getOrDefault(least, 0)) {
                        least = m;
                    }
                    if (count.getOrDefault(m, 0) > count.getOrDefault(most, 0)) {
                        most = m;
                    }
                }
                if (count.getOrDefault(most, 0) - count.getOrDefault(least, 0) > 1) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        if (most.equals(table[p])) {
                            table[p] = least;
                            count.merge(most, -1, Integer::sum);
                            count.merge(least, 1, Integer::sum);
                            moved = true;
                            break;
                        }
                    }
                }
            }
            // Every member's migration listener re-checks what it holds.
            for (String id : live) {
                recheck(members.get(id));
            }
        }

        private String ownerOf(String hostId) {
            return table[Math.floorMod(hostId.hashCode(), PARTITIONS)];
        }

        private void recheck(Member member) {
            List<String> moved = SessionRules.toHandOver(member.id, new ArrayList<>(member.sessions.keySet()), this::ownerOf);
            for (String hostId : moved) {
                Session session = member.sessions.remove(hostId);
                end(member, session, EndCause.HANDED_OVER);
                network.add(new Message(Kind.REDIRECT, hostId, member.id, session.stream, ownerOf(hostId)));
            }
        }

        private void purge(String departedId) {
            directory.values().removeIf(entry -> SessionRules.isStale(entry, Set.of(departedId)));
        }

        // ---- sessions (what the gateway does) ----------------------------------------------

        private void hello(Member member, Message hello) {
            if (!member.alive) {
                network.add(new Message(Kind.CLOSED, hello.hostId, member.id, hello.stream, null));
                return;
            }
            HelloDecision decision = SessionRules.onHello(member.id, ownerOf(hello.hostId), member.closing);
            switch (decision.verdict()) {
                case ACCEPT -> {
                    SessionEntry entry = new SessionEntry(member.id, ++clock);
                    Session session = new Session(hello.hostId, hello.stream, entry);
                    Session older = member.sessions.put(hello.hostId, session);
                    if (older != null) {
                        end(member, older, EndCause.REPLACED);
                        network.add(new Message(Kind.CLOSED, hello.hostId, member.id, older.stream, null));
                    }
                    session.claimPending = true;
                    network.add(new Message(Kind.CLAIM, hello.hostId, member.id, hello.stream, null, session));
                    online.put(hello.hostId, true);
                    network.add(new Message(Kind.WELCOME, hello.hostId, member.id, hello.stream, null));
                }
                case REDIRECT -> network.add(new Message(Kind.REDIRECT, hello.hostId, member.id, hello.stream,
                        decision.ownerMemberId()));
                case NOT_READY, SHUTTING_DOWN -> network.add(new Message(Kind.CLOSED, hello.hostId, member.id, hello.stream, null));
            }
        }

        private void cancelled(Member member, Message cancel) {
            Session session = member.sessions.get(cancel.hostId);
            if (member.alive && session != null && session.stream == cancel.stream) {
                member.sessions.remove(cancel.hostId);
                end(member, session, EndCause.LOST);
            }
        }

        private void end(Member member, Session session, EndCause cause) {
            EndActions actions = SessionRules.onSessionEnd(cause);
            if (!actions.releaseEntry()) {
                return;
            }
            if (session.claimPending) {
                session.releaseAfterClaim = actions;
                return;
            }
            release(member, session, actions);
        }

        private void claim(Session session) {
            session.claimPending = false;
            // Applied on the member that owns the host when the write arrives.
            if (SessionRules.mayClaim(ownerOf(session.hostId), directory.get(session.hostId), session.entry)) {
                directory.put(session.hostId, session.entry);
            }
            if (session.releaseAfterClaim != null) {
                release(members.get(session.entry.memberId()), session, session.releaseAfterClaim);
                session.releaseAfterClaim = null;
            }
        }

        private void release(Member member, Session session, EndActions actions) {
            if (SessionRules.mayRelease(directory.get(session.hostId), session.entry)) {
                directory.remove(session.hostId);
                boolean mayRecord = SessionRules.mayRecordOffline(ownerOf(session.hostId), member.id);
                // As the gateway: not while the member already holds a newer session of the host.
                if (actions.offlineWhenReleased() && mayRecord && !member.sessions.containsKey(session.hostId)) {
                    online.put(session.hostId, false);
                }
            }
        }

        // ---- agents ------------------------------------------------------------------------

        private String anyKnownMember() {
            // Agents know a seed list that may name members that are gone.
            List<String> all = new ArrayList<>(members.keySet());
            return all.get(random.nextInt(all.size()));
        }

        private void connect(Agent agent, String memberId) {
            agent.stream = ++nextStream;
            agent.member = memberId;
            agent.welcomed = false;
            network.add(new Message(Kind.HELLO, agent.hostId, memberId, agent.stream, null));
        }

        private void abandon(Agent agent) {
            if (agent.stream != 0) {
                network.add(new Message(Kind.CANCEL, agent.hostId, agent.member, agent.stream, null));
                agent.stream = 0;
                agent.member = null;
                agent.welcomed = false;
            }
        }

        private Agent agent(String hostId) {
            return agents.get(Integer.parseInt(hostId.substring("host-".length())));
        }

        private void deliver(Message message) {
            trace.append(step).append(' ').append(message).append('\n');
            Agent agent = agent(message.hostId);
            switch (message.kind) {
                case HELLO -> hello(members.get(message.member), message);
                case CLAIM -> claim(message.session);
                case CANCEL -> cancelled(members.get(message.member), message);
                case WELCOME -> {
                    if (agent.stream == message.stream) {
                        agent.welcomed = true;
                    }
                }
                case REDIRECT -> {
                    if (agent.stream == message.stream) {
                        connect(agent, message.target);
                    }
                }
                case CLOSED -> {
                    if (agent.stream == message.stream) {
                        agent.stream = 0;
                        agent.member = null;
                        agent.welcomed = false;
                    }
                }
            }
        }

        /** Delivers everything and lets every agent reconnect until the network is quiet. */
        private void quiesce() {
            for (int round = 0; round < 100_000; round++) {
                boolean idle = true;
                for (Agent agent : agents) {
                    if (agent.stream == 0) {
                        connect(agent, live.get(random.nextInt(live.size())));
                        idle = false;
                    }
                }
                if (network.isEmpty() && idle) {
                    break;
                }
                while (!network.isEmpty()) {
                    deliver(network.remove(random.nextInt(network.size())));
                    checkInvariants();
                }
            }
            for (Agent agent : agents) {
                assertThat(agent.welcomed).as("agent %s welcomed after quiescence", agent.hostId).isTrue();
                assertThat(agent.member).as("member of %s", agent.hostId).isEqualTo(ownerOf(agent.hostId));
                Session session = members.get(agent.member).sessions.get(agent.hostId);
                assertThat(session).as("session of %s", agent.hostId).isNotNull();
                assertThat(session.stream).as("stream of %s", agent.hostId).isEqualTo(agent.stream);
                assertThat(online.get(agent.hostId)).as("%s online", agent.hostId).isTrue();
                assertThat(directory.get(agent.hostId)).as("sessions map entry of %s", agent.hostId).isEqualTo(session.entry);
            }
        }

        private void checkInvariants() {
            Map<String, String> holder = new HashMap<>();
            Set<SessionEntry> accountedFor = new HashSet<>();
            Set<String> claimsInFlight = new HashSet<>();
            for (Message message : network) {
                if (message.kind == Kind.CLAIM) {
                    claimsInFlight.add(message.hostId);
                    accountedFor.add(message.session.entry);
                }
            }
            for (Member member : members.values()) {
                for (Session session : member.sessions.values()) {
                    assertThat(member.alive).as("step %d: dead member %s holds %s", step, member.id, session.hostId).isTrue();
                    String other = holder.put(session.hostId, member.id);
                    assertThat(other).as("step %d: host %s has sessions on %s and %s", step, session.hostId, other, member.id)
                            .isNull();
                    assertThat(ownerOf(session.hostId)).as("step %d: %s holds %s, owned by another member",
                            step, member.id, session.hostId).isEqualTo(member.id);
                    accountedFor.add(session.entry);
                    if (!claimsInFlight.contains(session.hostId)) {
                        assertThat(directory.get(session.hostId)).as("step %d: sessions map entry of %s", step, session.hostId)
                                .isEqualTo(session.entry);
                    }
                    assertThat(online.get(session.hostId)).as("step %d: %s connected but offline", step, session.hostId)
                            .isTrue();
                }
            }
            for (Map.Entry<String, SessionEntry> named : directory.entrySet()) {
                SessionEntry entry = named.getValue();
                assertThat(departed).as("step %d: sessions map names departed member %s", step, entry.memberId())
                        .doesNotContain(entry.memberId());
                assertThat(accountedFor.contains(entry) || claimsInFlight.contains(named.getKey()))
                        .as("step %d: sessions map names %s for %s, a session that is gone", step, entry, named.getKey())
                        .isTrue();
            }
        }

        private enum Kind { HELLO, WELCOME, REDIRECT, CLOSED, CANCEL, CLAIM }

        private record Message(Kind kind, String hostId, String member, long stream, String target, Session session) {
            Message(Kind kind, String hostId, String member, long stream, String target) {
                this(kind, hostId, member, stream, target, null);
            }

            @Override
            public String toString() {
                return kind + " " + hostId + " " + member + " #" + stream + (target == null ? "" : " -> " + target);
            }
        }

        private static final class Session {
            final String hostId;
            final long stream;
            final SessionEntry entry;
            boolean claimPending;
            EndActions releaseAfterClaim;

            Session(String hostId, long stream, SessionEntry entry) {
                this.hostId = hostId;
                this.stream = stream;
                this.entry = entry;
            }
        }

        private static final class Member {
            final String id;
            final Map<String, Session> sessions = new LinkedHashMap<>();
            boolean alive = true;
            boolean closing;

            Member(String id) {
                this.id = id;
            }
        }

        private static final class Agent {
            final String hostId;
            long stream;
            String member;
            boolean welcomed;

            Agent(String hostId) {
                this.hostId = hostId;
            }
        }
    }
}
