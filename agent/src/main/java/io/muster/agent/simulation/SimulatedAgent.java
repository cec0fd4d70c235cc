package io.muster.agent.simulation;

import io.muster.agent.session.AgentSession;
import io.muster.proto.v1.Inventory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * What a test or the bench sees of one simulated agent: its identity, which controller member it
 * is connected to, and how often each run id was executed on it (the at-most-once check).
 * Thread-safe.
 */
public final class SimulatedAgent {

    private final int index;
    private final String hostId;
    private final String hostname;
    private AgentSession session;
    private Supplier<Inventory> generated;
    private volatile Map<String, AtomicInteger> executions;
    /**
     * The inventory after {@link #changeInventory}, null while it is the generated one: most
     * hosts never change, and the simulator keeps no inventory in memory for them (110,000 hosts).
     */
    private volatile Inventory changed;

    SimulatedAgent(int index, String hostId, String hostname) {
        this.index = index;
        this.hostId = hostId;
        this.hostname = hostname;
    }

    void attach(AgentSession session, Supplier<Inventory> generated) {
        this.session = session;
        this.generated = generated;
    }

    AgentSession session() {
        return session;
    }

    /** The inventory this agent reports now, or null while it is the generated one. */
    Inventory changedInventory() {
        return changed;
    }

    /**
     * Changes this host mid-run, as an upgrade would (a new kernel, more memory): {@code change}
     * edits the inventory's sections, the facts are derived again and the agent reports the delta
     * at once, as a real agent does after its next inventory refresh. A disconnected agent sends the
     * new digest in its next Hello instead.
     *
     * @return the new inventory
     */
    public synchronized Inventory changeInventory(UnaryOperator<Inventory.Builder> change) {
        Inventory before = changed != null ? changed : generated.get();
        Inventory after = GeneratedInventory.changed(before, hostname, change);
        changed = after;
        session.inventoryChanged(before, after);
        return after;
    }

    public int index() {
        return index;
    }

    public String hostId() {
        return hostId;
    }

    public String hostname() {
        return hostname;
    }

    public boolean connected() {
        return session.isConnected();
    }

    /** Member id from the current Welcome, or null while not connected. */
    public String memberId() {
        return session.memberId();
    }

    /** Streams opened so far (1 for an agent that connected once and never moved). */
    public int connectAttempts() {
        return session.connectAttempts();
    }

    /** How many times run {@code runId} was executed on this agent (0 or 1 when all is well). */
    public int executions(String runId) {
        Map<String, AtomicInteger> runs = executions;
        AtomicInteger count = runs == null ? null : runs.get(runId);
        return count == null ? 0 : count.get();
    }

    /** Every run executed here, with its execution count. */
    public Map<String, Integer> executedRuns() {
        Map<String, AtomicInteger> runs = executions;
        Map<String, Integer> copy = new java.util.HashMap<>();
        if (runs != null) {
            runs.forEach((run, count) -> copy.put(run, count.get()));
        }
        return copy;
    }

    void executed(String runId) {
        Map<String, AtomicInteger> runs = executions;
        if (runs == null) {
            synchronized (this) {
                runs = executions;
                if (runs == null) {
                    runs = new ConcurrentHashMap<>(4);
                    executions = runs;
                }
            }
        }
        runs.computeIfAbsent(runId, id -> new AtomicInteger()).incrementAndGet();
    }
}
